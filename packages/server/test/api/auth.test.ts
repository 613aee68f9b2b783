import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { makeEndpoint } from '../helpers/fixtures.ts';
import { type Harness, startApi } from './harness.ts';

describe('API authentication and tenant isolation', () => {
  let h: Harness;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let bEndpoint: string;
  let bEvent: string;
  let bAttempt: string;

  beforeAll(async () => {
    h = await startApi();
    a = await h.tenant('tenant-a');
    b = await h.tenant('tenant-b');
    const ep = await h.call('POST', '/v1/tenants/tenant-b/endpoints', { url: 'https://b.example.com/hooks' });
    bEndpoint = ep.body.id;
    const ev = await h.call('POST', '/v1/tenants/tenant-b/events', { type: 'order.created', data: {} });
    bEvent = ev.body.id;
    bAttempt = newId('att');
    await h.store.insertAttempt({
      id: bAttempt,
      requestId: newId('req'),
      tenantId: 'tenant-b',
      deliveryId: null,
      eventId: bEvent,
      endpointId: bEndpoint,
      eventType: 'order.created',
      attemptNumber: 1,
      trigger: 'test',
      url: 'https://b.example.com/hooks',
      method: 'POST',
      requestHeaders: {},
      requestBody: '{}',
      responseStatus: 200,
      responseHeaders: {},
      responseBody: 'ok',
      durationMs: 12,
      error: null,
      succeeded: true,
      createdAt: h.clock.now,
    });
  });
  afterAll(async () => h.close());

  it('answers 401 without a key, saying how to send one', async () => {
    const res = await h.call('GET', '/v1/tenants', undefined, { key: null });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toContain('Authorization: Bearer <key>');
  });

  it('answers 401 for a malformed header and for an unknown key', async () => {
    const basic = await h.call('GET', '/v1/tenants', undefined, {
      key: null,
      headers: { authorization: 'Basic abc' },
    });
    expect(basic.status).toBe(401);
    expect(basic.body.error.message).toContain('Bearer');
    const unknown = await h.call('GET', '/v1/tenants', undefined, { key: 'hk_nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toContain('not valid');
  });

  it('needs no key for health and the OpenAPI document', async () => {
    expect((await h.call('GET', '/healthz', undefined, { key: null })).body).toEqual({ status: 'ok' });
    expect((await h.call('GET', '/readyz', undefined, { key: null })).status).toBe(200);
    expect((await h.call('GET', '/openapi.json', undefined, { key: null })).status).toBe(200);
  });

  it('lets a tenant token use its own tenant', async () => {
    const key = a.token;
    expect((await h.call('GET', '/v1/tenants/tenant-a', undefined, { key })).status).toBe(200);
    const ep = await h.call(
      'POST',
      '/v1/tenants/tenant-a/endpoints',
      { url: 'https://a.example.com/h' },
      { key },
    );
    expect(ep.status).toBe(201);
    expect(
      (await h.call('GET', '/v1/tenants/tenant-a/endpoints', undefined, { key })).body.data,
    ).toHaveLength(1);
    expect(
      (await h.call('POST', '/v1/tenants/tenant-a/events', { type: 'x.y', data: 1 }, { key })).status,
    ).toBe(202);
    expect((await h.call('GET', '/v1/event-types', undefined, { key })).status).toBe(200);
  });

  it("answers 404 (never 403) for another tenant's paths and ids", async () => {
    const key = a.token;
    const paths = [
      ['GET', '/v1/tenants/tenant-b'],
      ['PATCH', '/v1/tenants/tenant-b'],
      ['GET', '/v1/tenants/tenant-b/endpoints'],
      ['GET', `/v1/tenants/tenant-b/endpoints/${bEndpoint}`],
      ['GET', `/v1/tenants/tenant-b/endpoints/${bEndpoint}/secret`],
      ['POST', '/v1/tenants/tenant-b/events'],
      ['GET', `/v1/tenants/tenant-b/events/${bEvent}`],
      ['GET', `/v1/tenants/tenant-b/attempts/${bAttempt}`],
      ['GET', '/v1/tenants/tenant-b/attempts'],
      ['POST', '/v1/tenants/tenant-b/tokens'],
      ['POST', '/v1/tenants/does-not-exist/tokens'],
    ] as const;
    for (const [method, path] of paths) {
      const res = await h.call(method, path, method === 'GET' ? undefined : { type: 'x.y', data: 1 }, {
        key,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toContain('b.example.com');
    }
    // B's ids under A's own path are unknown too.
    for (const path of [
      `/v1/tenants/tenant-a/endpoints/${bEndpoint}`,
      `/v1/tenants/tenant-a/events/${bEvent}`,
      `/v1/tenants/tenant-a/attempts/${bAttempt}`,
    ]) {
      expect((await h.call('GET', path, undefined, { key })).status, path).toBe(404);
    }
    const retry = await h.call('POST', `/v1/tenants/tenant-a/events/${bEvent}/retry`, {}, { key });
    expect(retry.status).toBe(404);
    const list = await h.call('GET', `/v1/tenants/tenant-a/attempts?eventId=${bEvent}`, undefined, { key });
    expect(list.body.data).toEqual([]);
    // Nothing of B's changed.
    expect((await h.store.getEndpoint('tenant-b', bEndpoint))?.url).toBe('https://b.example.com/hooks');
  });

  it('answers 403 to tenant tokens on admin-only routes', async () => {
    const key = a.token;
    const attempts = [
      ['GET', '/v1/tenants', undefined],
      ['POST', '/v1/tenants', { id: 'sneaky' }],
      ['DELETE', '/v1/tenants/tenant-a', undefined],
      ['POST', '/v1/tenants/tenant-a/tokens', {}],
      ['POST', '/v1/event-types', { name: 'order.created' }],
      ['PATCH', '/v1/event-types/order.created', { description: 'x' }],
      ['DELETE', '/v1/event-types/order.created', undefined],
    ] as const;
    for (const [method, path, body] of attempts) {
      const res = await h.call(method, path, body, { key });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await h.store.getTenant('sneaky')).toBeNull();
    expect(await h.store.getTenant('tenant-a')).not.toBeNull();
    expect(await h.store.getEventType('order.created')).toBeNull();
  });

  it('stops accepting a tenant token once its tenant is deleted', async () => {
    const c = await h.tenant('tenant-c');
    expect((await h.call('GET', '/v1/tenants/tenant-c', undefined, { key: c.token })).status).toBe(200);
    expect((await h.call('DELETE', '/v1/tenants/tenant-c')).status).toBe(204);
    const after = await h.call('GET', '/v1/tenants/tenant-c', undefined, { key: c.token });
    expect([401, 404]).toContain(after.status);
  });

  it('keeps fixture endpoints of one tenant out of the other (store-level write)', async () => {
    const ep = makeEndpoint('tenant-b', 'https://b2.example.com/x');
    await h.store.createEndpoint(ep);
    const res = await h.call(
      'PATCH',
      `/v1/tenants/tenant-a/endpoints/${ep.id}`,
      { name: 'mine' },
      { key: a.token },
    );
    expect(res.status).toBe(404);
    expect((await h.store.getEndpoint('tenant-b', ep.id))?.name).toBe('');
    const del = await h.call('DELETE', `/v1/tenants/tenant-a/endpoints/${ep.id}`, undefined, {
      key: a.token,
    });
    expect(del.status).toBe(404);
    expect(await h.store.getEndpoint('tenant-b', ep.id)).not.toBeNull();
    void b;
  });
});
