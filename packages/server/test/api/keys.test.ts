/**
 * Key lifecycle through the API: listing (never a secret), revocation that
 * takes effect at once, expiring tenant tokens, and lastUsedAt written at
 * most once a minute per key however busy the key is.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../src/api/app.ts';
import { LAST_USED_INTERVAL_MS } from '../../src/api/auth.ts';
import { MAX_TOKEN_TTL_SECONDS } from '../../src/api/schemas/keys.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Store } from '../../src/store/port.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const ADMIN = 'hk_admin_keys_test_0001';
const SPARE_ADMIN = 'hk_admin_keys_test_0002';

let app: FastifyInstance;
let store: Store;
let cleanup: () => Promise<void>;
const clock = { now: Date.parse('2026-03-01T09:00:00.000Z') };
/** touchApiKey calls, by key id: the writes lastUsedAt costs. */
const touches: string[] = [];

async function call(method: string, url: string, body?: unknown, key: string | null = ADMIN) {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: res.body, body: res.body ? JSON.parse(res.body) : undefined };
}

async function token(tid: string, body: Record<string, unknown> = {}) {
  const res = await call('POST', `/v1/tenants/${tid}/tokens`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; token: string; expiresAt: string | null };
}

beforeAll(async () => {
  const temp = await tempSqliteStore();
  cleanup = temp.cleanup;
  store = new Proxy(temp.store, {
    get(target, prop) {
      if (prop === 'touchApiKey') {
        return (id: string, at: number) => {
          touches.push(id);
          return target.touchApiKey(id, at);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  for (const [key, name] of [
    [ADMIN, 'admin'],
    [SPARE_ADMIN, 'spare'],
  ] as const) {
    await store.createApiKey({
      id: newId('key', clock.now),
      hash: hashKey(key),
      tenantId: null,
      name,
      createdAt: clock.now,
      expiresAt: null,
    });
  }
  app = await buildApi({ store, clock: () => clock.now });
  for (const id of ['acme', 'globex']) expect((await call('POST', '/v1/tenants', { id })).status).toBe(201);
});

afterAll(async () => {
  await app.close();
  await cleanup();
});

describe('listing keys', () => {
  it('shows every key with its role and times, and never a key or its hash', async () => {
    const t = await token('acme', { name: 'ci' });
    const portal = await call('POST', '/v1/tenants/acme/portal-sessions', {});
    const portalKey = /#token=(\S+)$/.exec(portal.body.url)![1]!;
    const list = await call('GET', '/v1/api-keys?limit=250');
    expect(list.status).toBe(200);
    const mine = list.body.data.find((k: { id: string }) => k.id === t.id);
    expect(mine).toEqual({
      id: t.id,
      name: 'ci',
      tenantId: 'acme',
      role: 'tenant',
      source: 'api',
      createdAt: new Date(clock.now).toISOString(),
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(list.body.data.map((k: { role: string }) => k.role)).toEqual(
      expect.arrayContaining(['admin', 'tenant', 'portal']),
    );
    for (const secret of [ADMIN, t.token, portalKey]) {
      expect(list.text).not.toContain(secret);
      expect(list.text).not.toContain(hashKey(secret));
    }
    expect(list.text).not.toContain('"hash"');
  });

  it('filters by tenant and pages with a cursor', async () => {
    await token('globex');
    await token('globex');
    const first = await call('GET', '/v1/api-keys?tenantId=globex&limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.data[0].tenantId).toBe('globex');
    const second = await call('GET', `/v1/api-keys?tenantId=globex&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id < first.body.data[0].id).toBe(true);
    const tenantList = await call('GET', '/v1/tenants/globex/tokens');
    expect(tenantList.body.data.every((k: { tenantId: string }) => k.tenantId === 'globex')).toBe(true);
  });

  it('is for admin keys only', async () => {
    const t = await token('acme');
    const res = await call('GET', '/v1/api-keys', undefined, t.token);
    expect(res.status).toBe(403);
    expect((await call('GET', '/v1/tenants/acme/tokens', undefined, t.token)).status).toBe(403);
  });
});

describe('revoking', () => {
  it('refuses a revoked token at once, even one this process has cached', async () => {
    const t = await token('acme');
    expect((await call('GET', '/v1/tenants/acme/endpoints', undefined, t.token)).status).toBe(200);
    expect((await call('DELETE', `/v1/api-keys/${t.id}`)).status).toBe(204);
    const after = await call('GET', '/v1/tenants/acme/endpoints', undefined, t.token);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('revoked');
    expect((await call('DELETE', `/v1/api-keys/${t.id}`)).status).toBe(404);
    const audit = await call('GET', '/v1/api-keys?includeRevoked=true&limit=250');
    expect(audit.body.data.find((k: { id: string }) => k.id === t.id).revokedAt).toBe(
      new Date(clock.now).toISOString(),
    );
    const live = await call('GET', '/v1/api-keys?limit=250');
    expect(live.body.data.some((k: { id: string }) => k.id === t.id)).toBe(false);
  });

  it("revokes a tenant's token under its own tenant only", async () => {
    const t = await token('acme');
    expect((await call('DELETE', `/v1/tenants/globex/tokens/${t.id}`)).status).toBe(404);
    expect((await call('DELETE', '/v1/tenants/acme/tokens/key_nothing')).status).toBe(404);
    expect((await call('GET', '/v1/tenants/acme', undefined, t.token)).status).toBe(200);
    expect((await call('DELETE', `/v1/tenants/acme/tokens/${t.id}`)).status).toBe(204);
    expect((await call('GET', '/v1/tenants/acme', undefined, t.token)).status).toBe(401);
  });

  it('lets an admin key revoke itself; its next request is refused', async () => {
    const list = await call('GET', '/v1/api-keys?limit=250', undefined, SPARE_ADMIN);
    const self = list.body.data.find((k: { name: string }) => k.name === 'spare');
    expect((await call('DELETE', `/v1/api-keys/${self.id}`, undefined, SPARE_ADMIN)).status).toBe(204);
    expect((await call('GET', '/v1/api-keys', undefined, SPARE_ADMIN)).status).toBe(401);
    expect((await call('GET', '/v1/api-keys')).status).toBe(200);
  });

  it('answers 404 for an unknown key id', async () => {
    const res = await call('DELETE', '/v1/api-keys/key_unknown');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('expiring tokens', () => {
  it('works until expiresInSeconds has passed, then answers 401 expired', async () => {
    const t = await token('acme', { expiresInSeconds: 3600 });
    expect(t.expiresAt).toBe(new Date(clock.now + 3_600_000).toISOString());
    expect((await call('GET', '/v1/tenants/acme', undefined, t.token)).status).toBe(200);
    clock.now += 3_600_000;
    const res = await call('GET', '/v1/tenants/acme', undefined, t.token);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('expired');
  });

  it('refuses a lifetime outside 60 s … 10 years, naming the field', async () => {
    const before = (await call('GET', '/v1/tenants/acme/tokens?limit=250')).body.data.length;
    for (const expiresInSeconds of [59, MAX_TOKEN_TTL_SECONDS + 1, 1.5, -1]) {
      const res = await call('POST', '/v1/tenants/acme/tokens', { expiresInSeconds });
      expect(res.status, String(expiresInSeconds)).toBe(422);
      expect(JSON.stringify(res.body.error)).toContain('expiresInSeconds');
    }
    expect((await call('GET', '/v1/tenants/acme/tokens?limit=250')).body.data.length).toBe(before);
    expect((await call('POST', '/v1/tenants/acme/tokens', { expiresInSeconds: 60 })).status).toBe(201);
  });
});

describe('lastUsedAt', () => {
  it('is recorded on use, written once per key per minute however many requests', async () => {
    const t = await token('globex');
    const lastUsed = async () =>
      (await call('GET', '/v1/tenants/globex/tokens?limit=250')).body.data.find(
        (k: { id: string }) => k.id === t.id,
      ).lastUsedAt;
    expect(await lastUsed()).toBeNull();
    const firstUse = clock.now;
    const writesBefore = touches.filter((id) => id === t.id).length;
    for (let i = 0; i < 50; i++) {
      expect((await call('GET', '/v1/tenants/globex', undefined, t.token)).status).toBe(200);
      clock.now += 1000; // 50 requests over 50 s: inside one interval
    }
    expect(touches.filter((id) => id === t.id).length - writesBefore).toBe(1);
    expect(await lastUsed()).toBe(new Date(firstUse).toISOString());

    clock.now = firstUse + LAST_USED_INTERVAL_MS;
    await call('GET', '/v1/tenants/globex', undefined, t.token);
    expect(touches.filter((id) => id === t.id).length - writesBefore).toBe(2);
    expect(await lastUsed()).toBe(new Date(firstUse + LAST_USED_INTERVAL_MS).toISOString());
  });

  it('is not recorded for a refused (revoked) key', async () => {
    const t = await token('globex');
    await call('DELETE', `/v1/api-keys/${t.id}`);
    await call('GET', '/v1/tenants/globex', undefined, t.token);
    expect(touches).not.toContain(t.id);
  });
});
