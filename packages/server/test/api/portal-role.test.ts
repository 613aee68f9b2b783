/**
 * The portal role: a customer-portal session manages its tenant's endpoints
 * and reads its log, but cannot send events, change the tenant or make keys;
 * and its link is never built on the request's Host header.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../src/api/app.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Store } from '../../src/store/port.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const ADMIN = 'hk_admin_portal_role_0001';
const clock = { now: Date.parse('2026-03-01T09:00:00.000Z') };
let store: Store;
let cleanup: () => Promise<void>;
let app: FastifyInstance;
let receiver: Receiver;
const sender = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });

async function call(
  method: string,
  url: string,
  body?: unknown,
  key: string | null = ADMIN,
  headers: Record<string, string> = {},
  on: FastifyInstance = app,
) {
  const res = await on.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
}

async function portalKey(tid: string, headers: Record<string, string> = {}, on = app) {
  const res = await call('POST', `/v1/tenants/${tid}/portal-sessions`, {}, ADMIN, headers, on);
  expect(res.status).toBe(201);
  return { url: res.body.url as string, key: /#token=(\S+)$/.exec(res.body.url)![1]! };
}

beforeAll(async () => {
  ({ store, cleanup } = await tempSqliteStore());
  await store.createApiKey({
    id: newId('key'),
    hash: hashKey(ADMIN),
    tenantId: null,
    name: 'admin',
    createdAt: clock.now,
    expiresAt: null,
  });
  receiver = await startReceiver();
  app = await buildApi({ store, clock: () => clock.now, sender });
  for (const id of ['acme', 'globex']) await call('POST', '/v1/tenants', { id, name: `Tenant ${id}` });
});

afterAll(async () => {
  await app.close();
  await sender.close();
  await receiver.close();
  await cleanup();
});

describe('a portal session', () => {
  it('says it is a portal session', async () => {
    const { key } = await portalKey('acme');
    const who = await call('GET', '/v1/portal/session', undefined, key);
    expect(who.body).toMatchObject({ kind: 'tenant', role: 'portal', tenantId: 'acme' });
  });

  it('cannot send events, change the tenant, or make tokens and portal links', async () => {
    const { key } = await portalKey('acme');
    const admin = await call('POST', '/v1/tenants/acme/tokens', {});
    const refused = [
      ['POST', '/v1/tenants/acme/events', { type: 'order.created', data: {} }],
      ['POST', '/v1/tenants/acme/events/batch', { events: [{ type: 'order.created', data: {} }] }],
      ['PATCH', '/v1/tenants/acme', { name: 'Pwned' }],
      ['DELETE', '/v1/tenants/acme', undefined],
      ['POST', '/v1/tenants/acme/tokens', {}],
      ['GET', '/v1/tenants/acme/tokens', undefined],
      ['DELETE', `/v1/tenants/acme/tokens/${admin.body.id}`, undefined],
      ['POST', '/v1/tenants/acme/portal-sessions', {}],
      ['GET', '/v1/api-keys', undefined],
      ['GET', '/v1/tenants', undefined],
    ] as const;
    for (const [method, path, body] of refused) {
      const res = await call(method, path, body, key);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(/portal sessions cannot/);
    }
    expect((await store.getTenant('acme'))?.name).toBe('Tenant acme');
    expect((await store.listEvents('acme', {}, { limit: 10 })).data).toEqual([]);
    expect((await call('GET', `/v1/tenants/acme`, undefined, admin.body.token)).status).toBe(200);
  });

  it("manages the tenant's endpoints and reads its log, stats and jobs", async () => {
    const { key } = await portalKey('acme');
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body, key);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      return res.body;
    };
    const sent = await call('POST', '/v1/tenants/acme/events', { type: 'order.created', data: { n: 1 } });
    expect(sent.status).toBe(202);
    const since = new Date(clock.now - 3_600_000).toISOString();

    expect((await ok('GET', '/v1/tenants/acme')).name).toBe('Tenant acme');
    const ep = await ok('POST', '/v1/tenants/acme/endpoints', { url: `${receiver.url}/hooks` });
    const e = `/v1/tenants/acme/endpoints/${ep.id}`;
    await ok('GET', '/v1/tenants/acme/endpoints');
    await ok('GET', e);
    await ok('PATCH', e, { name: 'mine' });
    await ok('GET', `${e}/secret`);
    await ok('POST', `${e}/secret/rotate`, {});
    await ok('POST', `${e}/test`, {});
    await ok('POST', '/v1/tenants/acme/endpoints/test', { url: `${receiver.url}/x` });
    await ok('POST', `${e}/verify`, {});
    await ok('PUT', `${e}/resources/vehicle-1`);
    await ok('GET', `${e}/resources`);
    await ok('GET', `${e}/resources/vehicle-1`);
    await ok('DELETE', `${e}/resources/vehicle-1`);
    await ok('GET', `${e}/stats`);
    await ok('GET', '/v1/tenants/acme/stats');
    const log = await ok('GET', '/v1/tenants/acme/attempts?trigger=test');
    expect(log.data.length).toBeGreaterThan(0);
    await ok('GET', `/v1/tenants/acme/attempts/${log.data[0].id}`);
    await ok('GET', '/v1/tenants/acme/attempts/summary');
    await ok('GET', '/v1/tenants/acme/events');
    await ok('GET', `/v1/tenants/acme/events/${sent.body.id}`);
    await ok('POST', `/v1/tenants/acme/events/${sent.body.id}/retry`, {});
    const job = await ok('POST', `${e}/recover`, { since });
    await ok('POST', `${e}/replay`, { since });
    await ok('POST', '/v1/tenants/acme/attempts/retry', { since });
    await ok('GET', '/v1/tenants/acme/jobs');
    await ok('GET', `/v1/tenants/acme/jobs/${job.job.id}`);
    await ok('GET', '/v1/event-types');
    await ok('GET', '/v1/event-catalog');
    await ok('DELETE', e);
  });

  it("sees another tenant's paths as unknown, never as forbidden", async () => {
    const { key } = await portalKey('acme');
    for (const [method, path] of [
      ['GET', '/v1/tenants/globex/endpoints'],
      ['POST', '/v1/tenants/globex/events'],
      ['PATCH', '/v1/tenants/globex'],
    ] as const) {
      expect((await call(method, path, method === 'GET' ? undefined : {}, key)).status, path).toBe(404);
    }
  });

  it('leaves a tenant token its full rights', async () => {
    const t = await call('POST', '/v1/tenants/globex/tokens', {});
    const key = t.body.token;
    expect((await call('POST', '/v1/tenants/globex/events', { type: 'a.b', data: 1 }, key)).status).toBe(202);
    expect((await call('PATCH', '/v1/tenants/globex', { name: 'Globex' }, key)).status).toBe(200);
    expect((await call('GET', '/v1/portal/session', undefined, key)).body.role).toBe('tenant');
    expect((await call('POST', '/v1/tenants/globex/portal-sessions', {}, key)).status).toBe(403);
  });
});

describe('portal links', () => {
  const hostile = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

  it('are relative, never on the Host header, when Herald has no public URL and does not listen', async () => {
    const { url } = await portalKey('acme', hostile);
    expect(url).toMatch(/^\/portal#token=hk_portal_\S+$/);
    expect(url).not.toContain('evil');
  });

  it('are built on HERALD_PUBLIC_URL when it is set', async () => {
    const other = await buildApi({
      store,
      clock: () => clock.now,
      sender,
      portal: { publicUrl: 'https://hooks.example.com' },
    });
    try {
      const { url } = await portalKey('acme', hostile, other);
      expect(url).toMatch(/^https:\/\/hooks\.example\.com\/portal#token=hk_portal_/);
    } finally {
      await other.close();
    }
  });
});
