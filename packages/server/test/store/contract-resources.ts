import { describe, expect, it } from 'vitest';
import { allPages, endpointFixture, type StoreRef, T0, tenantFixture } from './contract-fixtures.ts';

/** Resource subscriptions: small-scale behaviour, then paging and matching at 100k. */
export function resourcesContract(s: StoreRef, scale = { resources: 100_000 }): void {
  describe('resources', () => {
    it('adds idempotently, marks the endpoint, removes, and refuses other tenants', async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const ep = await s().createEndpoint(endpointFixture('acme'));
      expect(ep.hasResources).toBe(false);

      expect(await s().addResource('acme', ep.id, 'vehicle-1', T0 + 1)).toBe(true);
      expect(await s().addResource('acme', ep.id, 'vehicle-1', T0 + 2)).toBe(true);
      expect(await s().addResource('other', ep.id, 'vehicle-2', T0)).toBe(false);
      expect(await s().addResource('acme', 'ep_unknown', 'vehicle-2', T0)).toBe(false);
      expect(await s().hasResource(ep.id, 'vehicle-1')).toBe(true);
      expect(await s().hasResource(ep.id, 'vehicle-2')).toBe(false);
      expect((await s().getEndpoint('acme', ep.id))?.hasResources).toBe(true);
      const listed = await s().listResources(ep.id, { limit: 10 });
      expect(listed).toEqual({ data: [{ resourceId: 'vehicle-1', createdAt: T0 + 1 }], nextCursor: null });

      expect(await s().removeResource('other', ep.id, 'vehicle-1')).toBe(false);
      expect(await s().hasResource(ep.id, 'vehicle-1')).toBe(true);
      expect(await s().removeResource('acme', ep.id, 'vehicle-1')).toBe(true);
      expect(await s().removeResource('acme', ep.id, 'vehicle-1')).toBe(false);
      expect(await s().hasResource(ep.id, 'vehicle-1')).toBe(false);
    });

    it('matches pairs of endpoints and resources', async () => {
      await s().createTenant(tenantFixture('acme'));
      const a = await s().createEndpoint(endpointFixture('acme'));
      const b = await s().createEndpoint(endpointFixture('acme'));
      const c = await s().createEndpoint(endpointFixture('acme'));
      await s().addResource('acme', a.id, 'dev-1', T0);
      await s().addResource('acme', a.id, 'dev-2', T0);
      await s().addResource('acme', b.id, 'dev-2', T0);
      await s().addResource('acme', c.id, 'dev-1', T0);
      const pairs = await s().matchResources([a.id, b.id], ['dev-2', 'dev-1', 'dev-9']);
      const key = (p: { endpointId: string; resourceId: string }) => `${p.endpointId}/${p.resourceId}`;
      expect(pairs.map(key).sort()).toEqual([`${a.id}/dev-1`, `${a.id}/dev-2`, `${b.id}/dev-2`].sort());
      expect(await s().matchResources([], ['dev-1'])).toEqual([]);
      expect(await s().matchResources([a.id], [])).toEqual([]);
    });

    it(`holds ${scale.resources} resources on one endpoint: pages ascending, matches, counts`, async () => {
      await s().createTenant(tenantFixture('acme'));
      const ep = await s().createEndpoint(endpointFixture('acme'));
      const other = await s().createEndpoint(endpointFixture('acme'));
      const id = (i: number) => `vehicle-${String(i).padStart(6, '0')}`;
      // Added in descending order so that the listing's ascending order is the store's doing.
      for (let i = scale.resources - 1; i >= 0; i--) await s().addResource('acme', ep.id, id(i), T0);
      await s().addResource('acme', other.id, id(7), T0);

      const { items, pages } = await allPages((cursor) => s().listResources(ep.id, { limit: 5000, cursor }));
      expect(pages).toBe(Math.ceil(scale.resources / 5000));
      expect(items).toHaveLength(scale.resources);
      for (let i = 0; i < items.length; i += 997) expect(items[i]!.resourceId).toBe(id(i));
      expect(items.at(-1)!.resourceId).toBe(id(scale.resources - 1));

      const wanted = [id(0), id(7), id(scale.resources - 1), 'vehicle-none'];
      const pairs = await s().matchResources([ep.id, other.id], wanted);
      expect(pairs).toHaveLength(4);
      expect(pairs.filter((p) => p.endpointId === other.id).map((p) => p.resourceId)).toEqual([id(7)]);
      expect(await s().hasResource(ep.id, id(12_345 % scale.resources))).toBe(true);
      expect(await s().removeResource('acme', ep.id, id(3))).toBe(true);
      expect(await s().hasResource(ep.id, id(3))).toBe(false);
    });
  });
}
