/**
 * `POST /v1/tenants/:tid/transforms/try`: the dashboard's "Try it". A
 * transform runs on an example webhook and the answer is what it returned;
 * nothing is sent or logged. A failing transform is a result (200, ok:
 * false, the message a delivery attempt would record), not a bad request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApi } from './harness.ts';

const TRY = '/v1/tenants/acme/transforms/try';
const RESHAPE = `function handler(webhook) {
  webhook.headers['x-kind'] = webhook.eventType;
  webhook.payload = { kind: webhook.payload.type, device: webhook.payload.data.deviceId };
  return webhook;
}`;

let h: Harness;
let acme: { id: string; token: string };
let globex: { id: string; token: string };

beforeAll(async () => {
  h = await startApi();
  acme = await h.tenant('acme');
  globex = await h.tenant('globex');
  const created = await h.call('POST', '/v1/event-types', {
    name: 'device.enrolled',
    description: 'A device joined a site',
    example: { deviceId: 'dev_example', site: 'berlin' },
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await h.close();
});

describe('trying a transform', () => {
  it("runs on the event type's example, in the standard envelope, as a delivery would see it", async () => {
    const seen = await h.call('POST', TRY, {
      transform:
        'function handler(w) { w.payload = { saw: w.payload, method: w.method, url: w.url }; return w; }',
      eventType: 'device.enrolled',
    });
    expect(seen.status).toBe(200);
    expect(seen.body.ok).toBe(true);
    const { saw } = seen.body.webhook.payload;
    expect(saw).toMatchObject({
      type: 'device.enrolled',
      version: 1,
      resource: null,
      data: { deviceId: 'dev_example', site: 'berlin' },
    });
    expect(saw.id).toBe(seen.body.webhook.eventId);
    expect(saw.timestamp).toBe('2026-01-15T12:00:00.000Z');
    expect(seen.body.webhook).toMatchObject({
      method: 'POST',
      url: 'https://example.com/webhook',
      headers: {},
    });

    const reshaped = await h.call('POST', TRY, { transform: RESHAPE, eventType: 'device.enrolled' });
    expect(reshaped.body).toMatchObject({
      ok: true,
      cancel: false,
      webhook: {
        eventType: 'device.enrolled',
        headers: { 'x-kind': 'device.enrolled' },
        payload: { kind: 'device.enrolled', device: 'dev_example' },
      },
    });
    expect(reshaped.body.durationUs).toBeGreaterThan(0);
  });

  it('takes the data, the envelope and any field of the webhook from the request', async () => {
    const data = await h.call('POST', TRY, {
      transform: 'function handler(w) { return w; }',
      eventType: 'device.enrolled',
      payload: { deviceId: 'dev_given' },
      envelope: 'none',
    });
    expect(data.body.webhook.payload).toEqual({ deviceId: 'dev_given' });

    const whole = await h.call('POST', TRY, {
      transform: 'function handler(w) { w.headers.seen = String(w.payload.length); return w; }',
      eventType: 'not.in.catalog',
      webhook: {
        eventId: 'evt_mine',
        endpointId: 'ep_mine',
        method: 'PUT',
        url: 'https://erp.example.com/in',
        headers: { 'x-tenant': 'acme' },
        payload: [{ n: 1 }, { n: 2 }],
      },
    });
    expect(whole.status).toBe(200);
    expect(whole.body.webhook).toEqual({
      eventType: 'not.in.catalog',
      eventId: 'evt_mine',
      endpointId: 'ep_mine',
      method: 'PUT',
      url: 'https://erp.example.com/in',
      headers: { 'x-tenant': 'acme', seen: '2' },
      payload: [{ n: 1 }, { n: 2 }],
    });
  });

  it('reports a cancelled delivery', async () => {
    const res = await h.call('POST', TRY, {
      transform: 'function handler(w) { w.cancel = w.payload.data.site === "berlin"; return w; }',
      eventType: 'device.enrolled',
    });
    expect(res.body).toMatchObject({ ok: true, cancel: true });
  });

  it('answers a transform that fails with 200, ok: false and the message', async () => {
    const syntax = await h.call('POST', TRY, {
      transform: 'function handler(webhook) {\n  return webhook +;\n}',
      eventType: 'device.enrolled',
    });
    expect(syntax.status).toBe(200);
    expect(syntax.body).toEqual({
      ok: false,
      message: "SyntaxError: unexpected token in expression: ';' (line 2, column 19)",
      durationUs: expect.any(Number),
    });

    const threw = await h.call('POST', TRY, {
      transform: 'function handler(w) {\n  return w.payload.data.owner.name;\n}',
      eventType: 'device.enrolled',
    });
    expect(threw.body).toMatchObject({
      ok: false,
      message: "transform threw: TypeError: cannot read property 'name' of undefined (line 2)",
    });

    const spin = await h.call('POST', TRY, { transform: 'function handler(w) { for (;;) {} }' });
    expect(spin.body).toMatchObject({ ok: false, message: 'transform timed out after 100 ms' });

    const exit = await h.call('POST', TRY, {
      transform: 'function handler(w) { process.exit(1); }',
    });
    expect(exit.body).toMatchObject({
      ok: false,
      message: expect.stringMatching(/'process' is not defined/),
    });
  });

  it('starts every try afresh: nothing one try leaves in its globals reaches the next', async () => {
    const source = 'var n = (globalThis.n || 0) + 1; function handler(w) { w.payload = n; return w; }';
    const first = await h.call('POST', TRY, { transform: source });
    const second = await h.call('POST', TRY, { transform: source });
    expect([first.body.webhook.payload, second.body.webhook.payload]).toEqual([1, 1]);
  });

  it('sends nothing and records nothing', async () => {
    await h.call('POST', TRY, { transform: RESHAPE, eventType: 'device.enrolled' });
    const log = await h.call('GET', '/v1/tenants/acme/attempts');
    expect(log.status).toBe(200);
    expect(log.body.data).toEqual([]);
  });
});

describe('who may try', () => {
  it("the tenant's token and its portal sessions, but no other tenant's", async () => {
    const body = { transform: RESHAPE, eventType: 'device.enrolled' };
    expect((await h.call('POST', TRY, body, { key: acme.token })).body.ok).toBe(true);

    const session = await h.call('POST', '/v1/tenants/acme/portal-sessions', {});
    expect(session.status).toBe(201);
    const portalKey = /#token=(\S+)$/.exec(session.body.url)![1]!;
    expect((await h.call('POST', TRY, body, { key: portalKey })).body.ok).toBe(true);

    const other = await h.call('POST', TRY, body, { key: globex.token });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await h.call('POST', TRY, body, { key: null })).status).toBe(401);
  });

  it('404s for a tenant that does not exist', async () => {
    const res = await h.call('POST', '/v1/tenants/nobody/transforms/try', { transform: RESHAPE });
    expect(res.status).toBe(404);
  });
});

describe('what the request may hold', () => {
  it('refuses a missing or oversized source, and unknown fields', async () => {
    expect((await h.call('POST', TRY, {})).status).toBe(422);
    expect((await h.call('POST', TRY, { transform: `//${'x'.repeat(65_536)}` })).status).toBe(422);
    expect((await h.call('POST', TRY, { transform: RESHAPE, endpointId: 'ep_1' })).status).toBe(422);
    expect((await h.call('POST', TRY, { transform: RESHAPE, webhook: { cancel: true } })).status).toBe(422);
  });

  it('wants the data for an event type the catalog does not have', async () => {
    const res = await h.call('POST', TRY, { transform: RESHAPE, eventType: 'nowhere.found' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/not in the event catalog/);
  });

  it('is in the OpenAPI document, named and tagged', async () => {
    const doc = await h.call('GET', '/openapi.json', undefined, { key: null });
    const op = doc.body.paths['/v1/tenants/{tid}/transforms/try'].post;
    expect(op).toMatchObject({ operationId: 'tryTransform', tags: ['endpoints'] });
    expect(op.summary).toBeTruthy();
  });
});
