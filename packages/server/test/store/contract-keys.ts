/** Store contract: API key lifecycle (roles, listing, revocation, HERALD_API_KEY rotation, last use). */
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import type { NewApiKey } from '../../src/domain/types.ts';
import { allPages, expectHeraldError, type StoreRef, T0, tenantFixture } from './contract-fixtures.ts';

let seq = 0;
/** A key with a unique hash; ids sort by `at`, so lists come back in a known order. */
function keyFixture(overrides: Partial<NewApiKey> = {}, at = T0): NewApiKey {
  seq += 1;
  return {
    id: newId('key', at),
    hash: `${String(seq).padStart(8, '0')}${'f'.repeat(56)}`,
    tenantId: null,
    name: `key ${seq}`,
    createdAt: at,
    expiresAt: null,
    ...overrides,
  };
}

const envKey = (hash: string, at = T0): NewApiKey => ({
  ...keyFixture({ name: 'HERALD_API_KEY' }, at),
  hash,
});

export function keysContract(s: StoreRef): void {
  describe('api key lifecycle', () => {
    it('stores role and source, defaulting them, and never makes a tenant key admin', async () => {
      await s().createTenant(tenantFixture('acme'));
      const admin = keyFixture();
      const token = keyFixture({ tenantId: 'acme' });
      const portal = keyFixture({ tenantId: 'acme', role: 'portal', expiresAt: T0 + 60_000 });
      const sneaky = keyFixture({ tenantId: 'acme', role: 'admin' });
      const generated = keyFixture({ source: 'generated' });
      for (const k of [admin, token, portal, sneaky, generated]) await s().createApiKey(k);

      expect(await s().findApiKeyByHash(admin.hash)).toEqual({
        ...admin,
        role: 'admin',
        source: 'api',
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(await s().findApiKeyByHash(token.hash)).toMatchObject({ role: 'tenant', tenantId: 'acme' });
      expect(await s().findApiKeyByHash(portal.hash)).toMatchObject({
        role: 'portal',
        expiresAt: T0 + 60_000,
      });
      expect(await s().findApiKeyByHash(sneaky.hash)).toMatchObject({ role: 'tenant' });
      expect(await s().findApiKeyByHash(generated.hash)).toMatchObject({
        role: 'admin',
        source: 'generated',
      });
      await expectHeraldError(s().createApiKey({ ...keyFixture(), hash: admin.hash }), 'conflict');
    });

    it('lists newest first over pages, by tenant, with revoked keys only when asked', async () => {
      for (const id of ['acme', 'other']) await s().createTenant(tenantFixture(id));
      const keys = [
        keyFixture({}, T0),
        keyFixture({ tenantId: 'acme' }, T0 + 1),
        keyFixture({ tenantId: 'other' }, T0 + 2),
        keyFixture({ tenantId: 'acme', role: 'portal' }, T0 + 3),
        keyFixture({ tenantId: 'acme' }, T0 + 4),
      ];
      for (const k of keys) await s().createApiKey(k);
      const ids = (i: number[]) => i.map((n) => keys[n]!.id);

      const all = await allPages((cursor) => s().listApiKeys({}, { limit: 2, cursor }));
      expect(all.pages).toBe(3);
      expect(all.items.map((k) => k.id)).toEqual(ids([4, 3, 2, 1, 0]));
      const acme = await allPages((cursor) => s().listApiKeys({ tenantId: 'acme' }, { limit: 2, cursor }));
      expect(acme.items.map((k) => k.id)).toEqual(ids([4, 3, 1]));

      expect(await s().revokeApiKey(keys[3]!.id, T0 + 10)).toMatchObject({ revokedAt: T0 + 10 });
      const live = await s().listApiKeys({ tenantId: 'acme' }, { limit: 10 });
      expect(live.data.map((k) => k.id)).toEqual(ids([4, 1]));
      const audit = await s().listApiKeys({ tenantId: 'acme', includeRevoked: true }, { limit: 10 });
      expect(audit.data.map((k) => [k.id, k.revokedAt])).toEqual([
        [keys[4]!.id, null],
        [keys[3]!.id, T0 + 10],
        [keys[1]!.id, null],
      ]);
      await expectHeraldError(s().listApiKeys({}, { limit: 2, cursor: 'not a cursor!' }), 'bad_request');
    });

    it('revokes once, only within the given tenant, and keeps the row', async () => {
      for (const id of ['acme', 'other']) await s().createTenant(tenantFixture(id));
      const admin = keyFixture();
      const token = keyFixture({ tenantId: 'acme' });
      for (const k of [admin, token]) await s().createApiKey(k);

      expect(await s().revokeApiKey(token.id, T0 + 5, { tenantId: 'other' })).toBeNull();
      expect(await s().revokeApiKey(admin.id, T0 + 5, { tenantId: 'acme' })).toBeNull();
      expect(await s().revokeApiKey('key_unknown', T0 + 5)).toBeNull();
      expect((await s().findApiKeyByHash(token.hash))?.revokedAt).toBeNull();

      expect(await s().countAdminKeys()).toBe(1);
      const revoked = await s().revokeApiKey(token.id, T0 + 5, { tenantId: 'acme' });
      expect(revoked).toMatchObject({ id: token.id, revokedAt: T0 + 5 });
      expect(await s().revokeApiKey(token.id, T0 + 6, { tenantId: 'acme' })).toBeNull();
      expect((await s().findApiKeyByHash(token.hash))?.revokedAt).toBe(T0 + 5);
      expect(await s().revokeApiKey(admin.id, T0 + 7)).toMatchObject({ revokedAt: T0 + 7 });
      expect(await s().countAdminKeys()).toBe(0);
    });

    it('records the last use, never moving it back', async () => {
      const key = keyFixture();
      await s().createApiKey(key);
      await s().touchApiKey(key.id, T0 + 100);
      expect((await s().findApiKeyByHash(key.hash))?.lastUsedAt).toBe(T0 + 100);
      await s().touchApiKey(key.id, T0 + 50);
      expect((await s().findApiKeyByHash(key.hash))?.lastUsedAt).toBe(T0 + 100);
      await s().touchApiKey(key.id, T0 + 200);
      expect((await s().findApiKeyByHash(key.hash))?.lastUsedAt).toBe(T0 + 200);
      await expect(s().touchApiKey('key_unknown', T0)).resolves.toBeUndefined();
    });

    it("revokes the previous HERALD_API_KEY's key and nothing made otherwise", async () => {
      await s().createTenant(tenantFixture('acme'));
      const generated = keyFixture({ source: 'generated' });
      const token = keyFixture({ tenantId: 'acme' });
      for (const k of [generated, token]) await s().createApiKey(k);

      const first = envKey('1'.repeat(64));
      expect(await s().putEnvAdminKey(first, T0)).toEqual({
        status: 'created',
        keyId: first.id,
        revokedIds: [],
      });
      expect(await s().findApiKeyByHash(first.hash)).toMatchObject({ role: 'admin', source: 'env' });
      // The same value at the next start: nothing changes.
      expect(await s().putEnvAdminKey(envKey(first.hash), T0 + 1)).toEqual({
        status: 'kept',
        keyId: first.id,
        revokedIds: [],
      });

      const second = envKey('2'.repeat(64), T0 + 2);
      expect(await s().putEnvAdminKey(second, T0 + 2)).toEqual({
        status: 'created',
        keyId: second.id,
        revokedIds: [first.id],
      });
      expect((await s().findApiKeyByHash(first.hash))?.revokedAt).toBe(T0 + 2);
      expect((await s().findApiKeyByHash(generated.hash))?.revokedAt).toBeNull();
      expect((await s().findApiKeyByHash(token.hash))?.revokedAt).toBeNull();

      // Back to the old value: refused, and the current key stays valid.
      expect(await s().putEnvAdminKey(envKey(first.hash), T0 + 3)).toEqual({
        status: 'revoked',
        keyId: first.id,
        revokedAt: T0 + 2,
      });
      expect((await s().findApiKeyByHash(second.hash))?.revokedAt).toBeNull();
      expect(await s().putEnvAdminKey(envKey(token.hash), T0 + 3)).toEqual({
        status: 'tenant_key',
        keyId: token.id,
      });
      expect((await s().findApiKeyByHash(second.hash))?.revokedAt).toBeNull();
    });

    it("makes the generated key the variable's key when HERALD_API_KEY names it", async () => {
      const generated = keyFixture({ source: 'generated' });
      await s().createApiKey(generated);
      expect(await s().putEnvAdminKey(envKey(generated.hash), T0)).toMatchObject({ status: 'kept' });
      expect(await s().findApiKeyByHash(generated.hash)).toMatchObject({ source: 'env', revokedAt: null });
      const next = envKey('3'.repeat(64));
      expect(await s().putEnvAdminKey(next, T0 + 1)).toMatchObject({ revokedIds: [generated.id] });
    });

    it('stores one key when processes start with the same new HERALD_API_KEY at once', async () => {
      const old = envKey('4'.repeat(64));
      await s().putEnvAdminKey(old, T0);
      const hash = '5'.repeat(64);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => s().putEnvAdminKey(envKey(hash, T0 + 1), T0 + 1)),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['created', 'kept', 'kept', 'kept']);
      const keyIds = new Set(results.map((r) => r.keyId));
      expect(keyIds.size).toBe(1);
      expect(results.flatMap((r) => ('revokedIds' in r ? r.revokedIds : []))).toEqual([old.id]);
      const live = await s().listApiKeys({}, { limit: 10 });
      expect(live.data.map((k) => k.hash)).toEqual([hash]);
    });
  });
}
