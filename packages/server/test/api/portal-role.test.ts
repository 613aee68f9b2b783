/**
 * The portal role: a customer-portal session manages its tenant's endpoints
 * and reads its log, but cannot send events, change the tenant or make keys;
 * and its link is never built on the request's Host header.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { newId } from '../../src/domain/ids.ts';
import { DEFAULT_PORTAL_FIELDS, PORTAL_ADVANCED_FIELDS } from '../../src/domain/portal-fields.ts';
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

describe('what a portal session may set (HERALD_PORTAL_FIELDS)', () => {
  it('says which advanced fields it may set; admin keys and tenant tokens may set all', async () => {
    const { key } = await portalKey('acme');
    const who = await call('GET', '/v1/portal/session', undefined, key);
    expect(who.body.endpointFields).toEqual([...DEFAULT_PORTAL_FIELDS]);
    expect(who.body.endpointFields).not.toContain('batch');
    expect((await call('GET', '/v1/portal/session')).body.endpointFields).toBeNull();
  });

  it('refuses the fields the operator keeps, on create, update and unsaved tests, and stores nothing', async () => {
    const { key } = await portalKey('acme');
    const url = `${receiver.url}/kept`;
    const before = (await store.listEndpoints('acme', { limit: 250, cursor: null })).data.length;
    for (const [method, path, body] of [
      ['POST', '/v1/tenants/acme/endpoints', { url, batch: { maxSize: 10, maxWaitMs: 100 } }],
      ['POST', '/v1/tenants/acme/endpoints', { url, maxInFlight: 5, rateLimit: { perSecond: 1 } }],
      ['POST', '/v1/tenants/acme/endpoints/test', { url, retry: { maxAttempts: 50 } }],
    ] as const) {
      const res = await call(method, path, body, key);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(
        /^customer-portal sessions cannot set (batch|maxInFlight|retry)/,
      );
      expect(res.body.error.details[0].path).toMatch(/^body\./);
    }
    expect((await store.listEndpoints('acme', { limit: 250, cursor: null })).data.length).toBe(before);

    const ep = await call('POST', '/v1/tenants/acme/endpoints', { url, timeoutMs: 3000, headers: {} }, key);
    expect(ep.status).toBe(201);
    const patch = await call('PATCH', `/v1/tenants/acme/endpoints/${ep.body.id}`, { ordered: true }, key);
    expect(patch.status).toBe(403);
    expect(patch.body.error.message).toContain('ordered');
    expect((await store.getEndpoint('acme', ep.body.id))?.ordered).toBe(false);
    // Brokers and relays are the operator's unless HERALD_PORTAL_FIELDS hands out `destination`.
    for (const brokerUrl of ['amqp://guest:guest@127.0.0.1:5672/', 'relay://']) {
      const res = await call('POST', '/v1/tenants/acme/endpoints', { url: brokerUrl }, key);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error.message).toMatch(/can only set http\(s\) URLs/);
    }
    expect(
      (await call('PATCH', `/v1/tenants/acme/endpoints/${ep.body.id}`, { url: 'mqtt://h' }, key)).status,
    ).toBe(403);
    const allowed = { name: 'x', status: 'paused', eventTypes: ['a.b'], method: 'PUT' };
    expect((await call('PATCH', `/v1/tenants/acme/endpoints/${ep.body.id}`, allowed, key)).status).toBe(200);
    // The operator still sets anything.
    expect((await call('PATCH', `/v1/tenants/acme/endpoints/${ep.body.id}`, { ordered: true })).status).toBe(
      200,
    );
  });

  it('follows the operator: all, none, or a list', async () => {
    const open = await buildApi({ store, clock: () => clock.now, sender, portal: { fields: ['batch'] } });
    try {
      const { key } = await portalKey('acme', {}, open);
      const who = await call('GET', '/v1/portal/session', undefined, key, {}, open);
      expect(who.body.endpointFields).toEqual(['batch']);
      const url = `${receiver.url}/open`;
      const body = { url, batch: { maxSize: 10, maxWaitMs: 100 } };
      expect((await call('POST', '/v1/tenants/acme/endpoints', body, key, {}, open)).status).toBe(201);
      const headers = await call('POST', '/v1/tenants/acme/endpoints', { url, headers: {} }, key, {}, open);
      expect(headers.status).toBe(403);
    } finally {
      await open.close();
    }
    expect(loadConfig({}).portal.fields).toEqual(DEFAULT_PORTAL_FIELDS);
    expect(loadConfig({ HERALD_PORTAL_FIELDS: 'all' }).portal.fields).toEqual(PORTAL_ADVANCED_FIELDS);
    expect(loadConfig({ HERALD_PORTAL_FIELDS: 'none' }).portal.fields).toEqual([]);
    expect(loadConfig({ HERALD_PORTAL_FIELDS: ' retry, filter ' }).portal.fields).toEqual([
      'filter',
      'retry',
    ]);
    expect(() => loadConfig({ HERALD_PORTAL_FIELDS: 'filter,batchSize' })).toThrow(
      /HERALD_PORTAL_FIELDS="filter,batchSize": unknown field batchSize; expected all, none, or a comma list of: filter, secret/,
    );
  });
});

describe('ending a portal session', () => {
  it("revokes the session's key (the portal's Sign out), so its link stops working", async () => {
    const { key } = await portalKey('acme');
    expect((await call('GET', '/v1/tenants/acme/endpoints', undefined, key)).status).toBe(200);
    expect((await call('DELETE', '/v1/portal/session', undefined, key)).status).toBe(204);
    const after = await call('GET', '/v1/tenants/acme/endpoints', undefined, key);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
  });

  it('is for portal sessions only: admin keys and tenant tokens get 403 and stay valid', async () => {
    const token = (await call('POST', '/v1/tenants/acme/tokens', {})).body.token as string;
    for (const key of [ADMIN, token]) {
      const res = await call('DELETE', '/v1/portal/session', undefined, key);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/only a customer-portal session can end itself/);
      expect((await call('GET', '/v1/portal/session', undefined, key)).status).toBe(200);
    }
    expect((await call('DELETE', '/v1/portal/session', undefined, null)).status).toBe(401);
  });
});

describe('portal branding', () => {
  it('holds the return URL, null unless configured', async () => {
    expect((await call('GET', '/v1/portal/branding', undefined, null)).body.returnUrl).toBeNull();
    const branded = await buildApi({
      store,
      clock: () => clock.now,
      sender,
      portal: { name: 'Acme Webhooks', returnUrl: 'https://app.acme.example/settings' },
    });
    try {
      const res = await call('GET', '/v1/portal/branding', undefined, null, {}, branded);
      expect(res.body).toEqual({
        name: 'Acme Webhooks',
        logoUrl: null,
        accent: '#4f46e5',
        returnUrl: 'https://app.acme.example/settings',
      });
    } finally {
      await branded.close();
    }
    expect(loadConfig({ HERALD_PORTAL_RETURN_URL: 'https://app.example/x' }).portal.returnUrl).toBe(
      'https://app.example/x',
    );
    expect(() => loadConfig({ HERALD_PORTAL_RETURN_URL: 'javascript:alert(1)' })).toThrow(
      /HERALD_PORTAL_RETURN_URL/,
    );
  });
});
