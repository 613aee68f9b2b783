import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApi } from './harness.ts';

const BASE = '/v1/tenants/acme/endpoints';

describe('endpoints', () => {
  let h: Harness;
  const count = async () => (await h.store.listEndpoints('acme', { limit: 250 })).data.length;

  beforeAll(async () => {
    h = await startApi();
    await h.tenant('acme');
  });
  afterAll(async () => h.close());

  it('creates with defaults and returns the secret once', async () => {
    const res = await h.call('POST', BASE, { url: 'https://example.com/hooks', name: 'ERP' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      url: 'https://example.com/hooks',
      name: 'ERP',
      status: 'active',
      eventTypes: null,
      signature: { scheme: 'standard-webhooks' },
      envelope: 'standard',
      format: 'json',
      method: 'POST',
      timeoutMs: 5000,
      retry: { maxAttempts: 8 },
      overflow: 'buffer',
      maxBacklog: null,
    });
    expect(res.body.secret).toMatch(/^whsec_/);
    const got = await h.call('GET', `${BASE}/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(res.body.secret);
    const list = await h.call('GET', BASE);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    expect((await h.call('GET', `${BASE}/${res.body.id}/secret`)).body).toEqual({ secret: res.body.secret });
  });

  it('takes every documented field', async () => {
    const body = {
      url: 'https://erp.example.com/in',
      description: 'orders',
      eventTypes: ['order.*', 'sensor.reading@2'],
      filter: { 'data.model': { $in: ['blogPost', 'page'] } },
      secret: 'my-own-secret-123',
      signature: { scheme: 'hmac-sha256', header: 'X-Hub-Signature-256', prefix: 'sha256=' },
      envelope: 'none',
      format: 'xml',
      method: 'PUT',
      headers: { 'X-Correlation-Id': 'erp-7' },
      timeoutMs: 10000,
      retry: { maxAttempts: 3, schedule: [1, 60] },
      batch: { maxSize: 100, maxWaitMs: 2000 },
      rateLimit: { perSecond: 50 },
      overflow: 'drop-oldest',
      maxBacklog: 1000,
      ordered: true,
      maxInFlight: 4,
    };
    const res = await h.call('POST', BASE, body);
    expect(res.status).toBe(201);
    const { secret, signature, ...rest } = body;
    expect(res.body).toMatchObject(rest);
    expect(res.body.signature).toEqual({ ...signature, encoding: 'hex' });
    expect(res.body.secret).toBe(secret);
  });

  it('starts pending verification when asked to', async () => {
    const res = await h.call('POST', BASE, { url: 'https://v.example.com/', requireVerification: true });
    expect(res.body.status).toBe('pending_verification');
    const activate = await h.call('PATCH', `${BASE}/${res.body.id}`, { status: 'active' });
    expect(activate.status).toBe(422);
    expect(activate.body.error.message).toContain('verify');
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a relative URL', { url: '/hooks' }, /url .*not an absolute URL/],
    [
      'a non-http URL',
      { url: 'ftp://example.com/x' },
      /url must use http, https, amqp, .* or relay, not 'ftp'/,
    ],
    ['a header with CR/LF', { url: 'https://e.com', headers: { 'X-A': 'a\r\nb' } }, /X-A.*line break/],
    [
      'a reserved header',
      { url: 'https://e.com', headers: { 'Content-Length': '1' } },
      /Content-Length.*reserved/,
    ],
    ['a webhook-* header', { url: 'https://e.com', headers: { 'webhook-id': 'x' } }, /reserved/],
    [
      'too many headers',
      { url: 'https://e.com', headers: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } },
      /at most 5/,
    ],
    [
      'the hmac signature header as a custom header',
      {
        url: 'https://e.com',
        signature: { scheme: 'hmac-sha256', header: 'X-Sig' },
        secret: 'abcdefgh12',
        headers: { 'x-sig': 'forged' },
      },
      /reserved/,
    ],
    [
      'hmac without a header',
      { url: 'https://e.com', signature: { scheme: 'hmac-sha256' } },
      /signature.header is required/,
    ],
    ['a bad event type pattern', { url: 'https://e.com', eventTypes: ['dev*'] }, /eventTypes/],
    ['a bad filter', { url: 'https://e.com', filter: { 'data.x': { $regex: 'a' } } }, /filter/],
    ['timeoutMs out of range', { url: 'https://e.com', timeoutMs: 60000 }, /body.timeoutMs must be <= 30000/],
    [
      'retry.maxAttempts out of range',
      { url: 'https://e.com', retry: { maxAttempts: 51 } },
      /body.retry.maxAttempts/,
    ],
    [
      'a schedule entry out of range',
      { url: 'https://e.com', retry: { maxAttempts: 2, schedule: [90000] } },
      /schedule\[0\]/,
    ],
    [
      'batch.maxSize out of range',
      { url: 'https://e.com', batch: { maxSize: 501, maxWaitMs: 0 } },
      /batch.maxSize/,
    ],
    [
      'rateLimit.perSecond of 0',
      { url: 'https://e.com', rateLimit: { perSecond: 0 } },
      /rateLimit.perSecond/,
    ],
    ['maxBacklog without drop-oldest', { url: 'https://e.com', maxBacklog: 10 }, /maxBacklog.*drop-oldest/],
    [
      'drop-oldest without maxBacklog',
      { url: 'https://e.com', overflow: 'drop-oldest' },
      /maxBacklog is required/,
    ],
    ['maxInFlight out of range', { url: 'https://e.com', maxInFlight: 0 }, /maxInFlight/],
    ['a non-whsec secret for standard-webhooks', { url: 'https://e.com', secret: 'plain-secret' }, /whsec_/],
    [
      'a too-short secret for hmac',
      {
        url: 'https://e.com',
        signature: { scheme: 'hmac-sha256', header: 'X-Sig' },
        secret: 'short',
      },
      /8–256/,
    ],
    [
      'a {VerificationKey} placeholder without that scheme',
      { url: 'https://e.com/h?key={VerificationKey}' },
      /VerificationKey/,
    ],
    ['an unknown field', { url: 'https://e.com', colour: 'red' }, /body.colour/],
    ['status disabled', { url: 'https://e.com', status: 'disabled' }, /body.status/],
  ];
  for (const [what, body, message] of bad) {
    it(`refuses ${what} with 422 and stores nothing`, async () => {
      const before = await count();
      const res = await h.call('POST', BASE, body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toMatch(message);
      expect(await count()).toBe(before);
    });
  }

  it('keeps the {VerificationKey} placeholder stored and shows it, never the key', async () => {
    const res = await h.call('POST', BASE, {
      url: 'https://meter.example.com/hook?key={VerificationKey}',
      signature: { scheme: 'verification-key', header: 'X-SmarterMeasure-Verification-Key' },
      secret: 'the-verification-key-1',
    });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe('https://meter.example.com/hook?key={VerificationKey}');
    const stored = await h.store.getEndpoint('acme', res.body.id);
    expect(stored?.url).toContain('{VerificationKey}');
    const got = await h.call('GET', `${BASE}/${res.body.id}`);
    expect(JSON.stringify(got.body)).not.toContain('the-verification-key-1');
    const inHost = await h.call('POST', BASE, {
      url: 'https://user:{VerificationKey}@meter.example.com/',
      signature: { scheme: 'verification-key' },
    });
    expect(inHost.status).toBe(422);
  });

  it('patches fields, pauses, re-enables a disabled endpoint, and re-checks the merged config', async () => {
    const created = await h.call('POST', BASE, { url: 'https://p.example.com/' });
    const id = created.body.id as string;
    h.clock.now += 5000;
    const patched = await h.call('PATCH', `${BASE}/${id}`, {
      url: 'https://q.example.com/',
      eventTypes: ['order.*'],
      status: 'paused',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      url: 'https://q.example.com/',
      eventTypes: ['order.*'],
      status: 'paused',
    });
    expect(patched.body.updatedAt).toBe(new Date(h.clock.now).toISOString());

    await h.store.updateEndpoint('acme', id, { status: 'disabled', disabledReason: '410 Gone' }, h.clock.now);
    const enabled = await h.call('PATCH', `${BASE}/${id}`, { status: 'active' });
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null });

    const badMerge = await h.call('PATCH', `${BASE}/${id}`, { maxBacklog: 5 });
    expect(badMerge.status).toBe(422);
    const badHeader = await h.call('PATCH', `${BASE}/${id}`, { headers: { 'X-A': 'a\r\nb' } });
    expect(badHeader.status).toBe(422);
    const stored = await h.store.getEndpoint('acme', id);
    expect(stored?.maxBacklog).toBeNull();
    expect(stored?.headers).toEqual({});
  });

  it('asks for a new secret when a signature change makes the current one unfit', async () => {
    const created = await h.call('POST', BASE, {
      url: 'https://s.example.com/',
      signature: { scheme: 'hmac-sha256', header: 'X-Sig' },
      secret: 'plain-secret-1',
    });
    const path = `${BASE}/${created.body.id}`;
    const res = await h.call('PATCH', path, { signature: { scheme: 'standard-webhooks' } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('send a new "secret"');
    expect((await h.store.getEndpoint('acme', created.body.id))?.signature.scheme).toBe('hmac-sha256');
    const ok = await h.call('PATCH', path, {
      signature: { scheme: 'standard-webhooks' },
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(ok.status).toBe(200);
    expect((await h.call('GET', `${path}/secret`)).body.secret).toBe(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    );
  });

  it('deletes, then answers 404', async () => {
    const created = await h.call('POST', BASE, { url: 'https://d.example.com/' });
    expect((await h.call('DELETE', `${BASE}/${created.body.id}`)).status).toBe(204);
    expect((await h.call('GET', `${BASE}/${created.body.id}`)).status).toBe(404);
    expect((await h.call('DELETE', `${BASE}/${created.body.id}`)).status).toBe(404);
    expect(await h.store.getEndpoint('acme', created.body.id)).toBeNull();
  });

  it('rotates the secret, keeping the old one signing during the grace period', async () => {
    const created = await h.call('POST', BASE, { url: 'https://r.example.com/' });
    const id = created.body.id as string;
    const old = created.body.secret as string;
    const rotated = await h.call('POST', `${BASE}/${id}/secret/rotate`, { graceMs: 3_600_000 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(old);
    expect(rotated.body.previousExpiresAt).toBe(new Date(h.clock.now + 3_600_000).toISOString());
    const stored = await h.store.getEndpoint('acme', id);
    expect(stored?.secrets).toEqual([
      { value: rotated.body.secret, expiresAt: null },
      { value: old, expiresAt: h.clock.now + 3_600_000 },
    ]);
    expect((await h.call('GET', `${BASE}/${id}/secret`)).body.secret).toBe(rotated.body.secret);

    // Without a body: the default grace (24 h), generated secret.
    const again = await h.call('POST', `${BASE}/${id}/secret/rotate`);
    expect(again.status).toBe(200);
    const after = await h.store.getEndpoint('acme', id);
    expect(after?.secrets.map((s) => s.value)).toEqual([again.body.secret, rotated.body.secret, old]);
    expect(after?.secrets[1]?.expiresAt).toBe(h.clock.now + 24 * 3_600_000);

    const given = await h.call('POST', `${BASE}/${id}/secret/rotate`, { secret: 'not-a-whsec' });
    expect(given.status).toBe(422);
    expect((await h.store.getEndpoint('acme', id))?.secrets[0]?.value).toBe(again.body.secret);
  });

  it('manages resource subscriptions', async () => {
    const created = await h.call('POST', BASE, { url: 'https://res.example.com/' });
    const id = created.body.id as string;
    const r = `${BASE}/${id}/resources`;
    expect((await h.call('GET', `${r}/dev_1`)).status).toBe(404);
    expect((await h.call('PUT', `${r}/dev_1`)).status).toBe(204);
    expect((await h.call('PUT', `${r}/dev_1`)).status).toBe(204);
    expect((await h.call('PUT', `${r}/dev_2`)).status).toBe(204);
    expect((await h.call('GET', `${r}/dev_1`)).body).toEqual({ endpointId: id, resourceId: 'dev_1' });
    const list = await h.call('GET', `${r}?limit=1`);
    expect(list.body.data.map((x: { resourceId: string }) => x.resourceId)).toEqual(['dev_1']);
    const next = await h.call('GET', `${r}?limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`);
    expect(next.body.data.map((x: { resourceId: string }) => x.resourceId)).toEqual(['dev_2']);
    expect((await h.call('GET', `${BASE}/${id}`)).body.hasResources).toBe(true);
    expect((await h.call('DELETE', `${r}/dev_1`)).status).toBe(204);
    expect((await h.call('DELETE', `${r}/dev_1`)).status).toBe(404);
    expect(await h.store.hasResource(id, 'dev_1')).toBe(false);
    expect((await h.call('PUT', `${BASE}/ep_nope/resources/dev_1`)).status).toBe(404);
    expect((await h.call('PUT', `${r}/bad%20id`)).status).toBe(422);
  });
});
