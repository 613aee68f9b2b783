import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Harness, startApi } from './harness.ts';

async function countEvents(h: Harness, tid: string): Promise<number> {
  return (await h.store.listEvents(tid, {}, { limit: 1000 })).data.length;
}

describe('API error answers', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApi();
    await h.tenant('acme');
  });
  afterEach(async () => h.close());

  it('answers malformed JSON with 400 invalid_json and stores nothing', async () => {
    const res = await h.call('POST', '/v1/tenants/acme/events', '{"type": "a.b", "data": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
    expect(res.body.error.message).toMatch(/^request body is not valid JSON: /);
    expect(await countEvents(h, 'acme')).toBe(0);
  });

  it('refuses prototype poisoning as invalid JSON', async () => {
    const res = await h.call(
      'POST',
      '/v1/tenants/acme/events',
      '{"type":"a.b","data":{"__proto__":{"x":1}}}',
    );
    expect(res.status).toBe(400);
    expect(await countEvents(h, 'acme')).toBe(0);
  });

  it('answers a wrong content type with 415 and says what to send', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/tenants/acme/events',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'text/plain' },
      payload: 'type=a.b',
    });
    expect(res.statusCode).toBe(415);
    const body = res.json();
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toContain('Content-Type: application/json');
    expect(await countEvents(h, 'acme')).toBe(0);
  });

  it('answers a body over 256 KiB with 413 naming the limit', async () => {
    const big = { type: 'a.b', data: { blob: 'x'.repeat(262_144) } };
    const res = await h.call('POST', '/v1/tenants/acme/events', big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(res.body.error.message).toContain('262144 bytes');
    expect(await countEvents(h, 'acme')).toBe(0);
  });

  it('answers schema failures with 422, naming the first failing path', async () => {
    const res = await h.call('POST', '/v1/tenants/acme/events', {
      type: 'a.b',
      data: {},
      colour: 'red',
      version: 'two',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('body.colour');
    expect(paths).toContain('body.version');
    expect(res.body.error.message).toMatch(/^body\.(colour|version) /);
    expect(await countEvents(h, 'acme')).toBe(0);
  });

  it('reports a missing body field by name', async () => {
    const res = await h.call('POST', '/v1/tenants/acme/events');
    expect(res.status).toBe(422);
    expect(res.body.error.details).toContainEqual({ path: 'body.type', message: 'is required' });
  });

  it('answers query string failures with 422 too', async () => {
    const res = await h.call('GET', '/v1/tenants/acme/attempts?limit=0');
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('query.limit');
    const since = await h.call('GET', '/v1/tenants/acme/attempts?since=yesterday');
    expect(since.status).toBe(422);
    expect(since.body.error.message).toContain('query.since');
  });

  it('answers unknown routes and unknown tenants with 404', async () => {
    const route = await h.call('GET', '/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
    const tenant = await h.call('POST', '/v1/tenants/nobody/events', { type: 'a.b', data: {} });
    expect(tenant.status).toBe(404);
    expect(tenant.body.error.message).toContain("tenant 'nobody'");
    const endpoint = await h.call('GET', '/v1/tenants/acme/endpoints/ep_nope');
    expect(endpoint.status).toBe(404);
    expect(endpoint.body.error.message).toContain("endpoint 'ep_nope'");
  });

  it('answers 409 when a tenant id is taken', async () => {
    const res = await h.call('POST', '/v1/tenants', { id: 'acme' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
  });

  it('answers 503 from /readyz and from routes when the database is gone, without a stack', async () => {
    await h.store.close();
    const ready = await h.call('GET', '/readyz', undefined, { key: null });
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('unavailable');
    const res = await h.call('GET', '/v1/tenants');
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3 titled Herald, with bearer auth and every route', async () => {
    const h = await startApi();
    try {
      const res = await h.call('GET', '/openapi.json', undefined, { key: null });
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe('Herald');
      expect(doc.info.version).toBe('9.9.9');
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      for (const path of [
        '/v1/event-types',
        '/v1/event-types/{name}',
        '/v1/tenants',
        '/v1/tenants/{tid}',
        '/v1/tenants/{tid}/tokens',
        '/v1/tenants/{tid}/endpoints',
        '/v1/tenants/{tid}/endpoints/{eid}',
        '/v1/tenants/{tid}/endpoints/{eid}/secret',
        '/v1/tenants/{tid}/endpoints/{eid}/secret/rotate',
        '/v1/tenants/{tid}/endpoints/{eid}/resources/{rid}',
        '/v1/tenants/{tid}/events',
        '/v1/tenants/{tid}/events/batch',
        '/v1/tenants/{tid}/events/{id}',
        '/v1/tenants/{tid}/events/{id}/retry',
        '/v1/tenants/{tid}/attempts',
        '/v1/tenants/{tid}/attempts/summary',
        '/v1/tenants/{tid}/attempts/{id}',
        '/healthz',
        '/readyz',
      ]) {
        expect(doc.paths[path], path).toBeDefined();
      }
      const create = doc.paths['/v1/tenants/{tid}/endpoints'].post;
      expect(create.requestBody.content['application/json'].schema.properties.timeoutMs).toMatchObject({
        minimum: 1000,
        maximum: 30000,
      });
      expect(create.responses['201']).toBeDefined();
    } finally {
      await h.close();
    }
  });
});
