/**
 * Every bad endpoint configuration answers 422 with a message naming the
 * field and saying how to fix it, and stores nothing: through create, PATCH
 * and the unsaved "Test connection" alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startApi } from './harness.ts';

const URL_OK = 'https://hooks.example.com/in';

const cases: { what: string; body: Record<string, unknown>; path: string; says: RegExp }[] = [
  {
    what: 'an unknown filter operator',
    body: { filter: { 'data.model': { $regex: 'x' } } },
    path: 'filter',
    says: /\$regex/,
  },
  {
    what: 'a filter operator with the wrong operand',
    body: { filter: { 'data.n': { $in: 5 } } },
    path: 'filter',
    says: /\$in/,
  },
  {
    what: 'a reserved custom header',
    body: { headers: { Host: 'evil.example' } },
    path: 'headers',
    says: /host/i,
  },
  {
    what: 'a header value with CR/LF',
    body: { headers: { 'X-Token': 'a\r\nX-Evil: 1' } },
    path: 'headers',
    says: /CR|LF|line/i,
  },
  {
    what: 'a header name that is not a token',
    body: { headers: { 'X Token': 'a' } },
    path: 'headers',
    says: /X Token/,
  },
  {
    what: 'too many custom headers',
    body: { headers: { 'X-A': '1', 'X-B': '2', 'X-C': '3', 'X-D': '4', 'X-E': '5', 'X-F': '6' } },
    path: 'headers',
    says: /5/,
  },
  {
    what: 'hmac-sha256 without a header',
    body: { signature: { scheme: 'hmac-sha256' } },
    path: 'signature.header',
    says: /required/,
  },
  {
    what: 'a prefix on standard-webhooks',
    body: { signature: { scheme: 'standard-webhooks', prefix: 'sha256=' } },
    path: 'signature',
    says: /only to scheme 'hmac-sha256'/,
  },
  {
    what: 'a signature header that Herald sets itself',
    body: { signature: { scheme: 'hmac-sha256', header: 'webhook-signature' } },
    path: 'signature.header',
    says: /reserved/,
  },
  {
    what: 'an unknown encoding',
    body: { signature: { scheme: 'hmac-sha256', header: 'X-Sig', encoding: 'base32' } },
    path: 'body.signature.encoding',
    says: /hex|base64|constant/,
  },
  {
    what: 'a {VerificationKey} placeholder without the verification-key scheme',
    body: { url: 'https://hooks.example.com/in?key={VerificationKey}' },
    path: 'url',
    says: /verification-key/,
  },
  {
    what: 'a placeholder in the host',
    body: { url: 'https://{VerificationKey}.example.com/in', signature: { scheme: 'verification-key' } },
    path: 'url',
    says: /path or query/,
  },
  { what: 'a non-http URL', body: { url: 'ftp://example.com/in' }, path: 'url', says: /http/ },
  {
    what: 'a secret that is not whsec_ for standard-webhooks',
    body: { secret: 'plain-secret-123' },
    path: 'secret',
    says: /whsec_/,
  },
  {
    what: 'a too-short secret for hmac-sha256',
    body: { secret: 'short', signature: { scheme: 'hmac-sha256', header: 'X-Sig' } },
    path: 'secret',
    says: /8–256/,
  },
  { what: 'a bad event type pattern', body: { eventTypes: ['a..b'] }, path: 'eventTypes', says: /a\.\.b/ },
  { what: 'a timeout below 1 s', body: { timeoutMs: 10 }, path: 'body.timeoutMs', says: />= 1000/ },
  {
    what: 'maxBacklog without drop-oldest',
    body: { maxBacklog: 10 },
    path: 'maxBacklog',
    says: /drop-oldest/,
  },
  { what: 'an unknown field', body: { retries: 3 }, path: 'body.retries', says: /not a known property/ },
];

describe('bad endpoint configurations', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApi();
    await h.tenant('acme');
  });
  afterEach(async () => h.close());

  for (const c of cases) {
    it(`refuses ${c.what} with 422 naming ${c.path}, and stores nothing`, async () => {
      const body = { url: URL_OK, ...c.body };
      const created = await h.call('POST', '/v1/tenants/acme/endpoints', body);
      expect(created.status).toBe(422);
      expect(created.body.error.code).toBe('validation_failed');
      expect(created.body.error.message).toMatch(c.says);
      expect(created.body.error.details[0].path).toBe(c.path);

      const tested = await h.call('POST', '/v1/tenants/acme/endpoints/test', body);
      expect(tested.status).toBe(422);
      expect(tested.body.error.message).toMatch(c.says);

      const list = await h.call('GET', '/v1/tenants/acme/endpoints');
      expect(list.body.data).toEqual([]);
      const attempts = await h.call('GET', '/v1/tenants/acme/attempts');
      expect(attempts.status).toBe(200);
      expect(attempts.body.data).toEqual([]);
    });
  }

  it('refuses the same mistakes on PATCH and leaves the endpoint as it was', async () => {
    const created = await h.call('POST', '/v1/tenants/acme/endpoints', { url: URL_OK });
    expect(created.status).toBe(201);
    const path = `/v1/tenants/acme/endpoints/${created.body.id}`;
    for (const c of cases) {
      const patched = await h.call('PATCH', path, c.body);
      expect(patched.status, c.what).toBe(422);
      expect(patched.body.error.message, c.what).toMatch(c.says);
    }
    const after = await h.call('GET', path);
    const { updatedAt: _a, ...before } = created.body;
    const { updatedAt: _b, ...now } = after.body;
    expect({ ...now, secret: created.body.secret }).toEqual(before);
  });
});
