import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import {
  allPages,
  attemptFixture,
  endpointFixture,
  expectHeraldError,
  type StoreRef,
  storeEvent,
  T0,
  tenantFixture,
} from './contract-fixtures.ts';

export function catalogContract(s: StoreRef): void {
  describe('lifecycle', () => {
    it('migrates again without harm and answers ping', async () => {
      await s().migrate();
      await s().migrate();
      await expect(s().ping()).resolves.toBeUndefined();
    });
  });

  describe('api keys', () => {
    it('finds keys by hash and counts only admin keys', async () => {
      await s().createTenant(tenantFixture('acme'));
      expect(await s().countAdminKeys()).toBe(0);
      await s().createApiKey({
        id: newId('key'),
        hash: 'a'.repeat(64),
        tenantId: null,
        name: 'admin',
        createdAt: T0,
        expiresAt: null,
      });
      await s().createApiKey({
        id: newId('key'),
        hash: 'b'.repeat(64),
        tenantId: 'acme',
        name: 'acme',
        createdAt: T0,
        expiresAt: null,
      });
      expect(await s().countAdminKeys()).toBe(1);
      expect(await s().findApiKeyByHash('b'.repeat(64))).toMatchObject({ tenantId: 'acme', name: 'acme' });
      expect(await s().findApiKeyByHash('c'.repeat(64))).toBeNull();
      await expectHeraldError(
        s().createApiKey({
          id: newId('key'),
          hash: 'a'.repeat(64),
          tenantId: null,
          name: 'dup',
          createdAt: T0,
          expiresAt: null,
        }),
        'conflict',
      );
    });
  });

  describe('tenants', () => {
    it('creates, reads, updates and rejects a duplicate id', async () => {
      const created = await s().createTenant(tenantFixture('acme'));
      expect(created).toEqual(tenantFixture('acme'));
      expect(await s().getTenant('acme')).toEqual(created);
      expect(await s().getTenant('nobody')).toBeNull();
      const err = await expectHeraldError(s().createTenant(tenantFixture('acme')), 'conflict');
      expect(err.message).toContain('acme');

      const updated = await s().updateTenant('acme', { name: 'Acme Inc' }, T0 + 5);
      expect(updated).toEqual({ ...created, name: 'Acme Inc', updatedAt: T0 + 5 });
      expect(await s().getTenant('acme')).toEqual(updated);
      const meta = await s().updateTenant('acme', { metadata: { plan: 'free' } }, T0 + 6);
      expect(meta?.name).toBe('Acme Inc');
      expect(meta?.metadata).toEqual({ plan: 'free' });
      expect(await s().updateTenant('nobody', { name: 'x' }, T0)).toBeNull();
    });

    it('lists newest first over several pages', async () => {
      for (let i = 0; i < 7; i++) await s().createTenant(tenantFixture(`t${i}`, T0 + i));
      const { items, pages } = await allPages((cursor) => s().listTenants({ limit: 3, cursor }));
      expect(pages).toBe(3);
      expect(items.map((t) => t.id)).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
    });

    it('rejects a cursor it did not make', async () => {
      await expectHeraldError(s().listTenants({ limit: 3, cursor: 'not a cursor!' }), 'bad_request');
      await expectHeraldError(s().listEndpoints('acme', { limit: 3, cursor: '%%%' }), 'bad_request');
    });

    it('deletes a tenant with everything it owns, and nothing else', async () => {
      for (const id of ['acme', 'other']) await s().createTenant(tenantFixture(id));
      const owned = async (tenantId: string) => {
        const ep = await s().createEndpoint(endpointFixture(tenantId));
        await s().addResource(tenantId, ep.id, 'vehicle-1', T0);
        const { eventId, deliveryIds } = await storeEvent(s(), tenantId, [ep.id]);
        const attempt = attemptFixture({ tenantId, eventId, endpointId: ep.id, deliveryId: deliveryIds[0]! });
        await s().insertAttempt(attempt);
        const hash = `${tenantId}-key-hash`;
        await s().createApiKey({
          id: newId('key'),
          hash,
          tenantId,
          name: 'k',
          createdAt: T0,
          expiresAt: null,
        });
        return { ep, eventId, deliveryId: deliveryIds[0]!, attemptId: attempt.id, hash };
      };
      const a = await owned('acme');
      const b = await owned('other');

      expect(await s().deleteTenant('acme')).toBe(true);
      expect(await s().deleteTenant('acme')).toBe(false);
      expect(await s().getTenant('acme')).toBeNull();
      expect(await s().getEndpoint('acme', a.ep.id)).toBeNull();
      expect(await s().getEndpointsByIds([a.ep.id])).toEqual([]);
      expect(await s().hasResource(a.ep.id, 'vehicle-1')).toBe(false);
      expect(await s().getEvent('acme', a.eventId)).toBeNull();
      expect(await s().getDelivery(a.deliveryId)).toBeNull();
      expect(await s().getAttempt('acme', a.attemptId)).toBeNull();
      expect(await s().findApiKeyByHash(a.hash)).toBeNull();
      expect(await s().countDeliveries({ endpointId: a.ep.id })).toBe(0);

      expect(await s().getEndpoint('other', b.ep.id)).not.toBeNull();
      expect(await s().hasResource(b.ep.id, 'vehicle-1')).toBe(true);
      expect(await s().getDelivery(b.deliveryId)).not.toBeNull();
      expect(await s().getAttempt('other', b.attemptId)).not.toBeNull();
      expect(await s().findApiKeyByHash(b.hash)).not.toBeNull();
    });
  });

  describe('event types', () => {
    const base = { group: 'Orders', description: 'An order was placed', schema: null, example: { id: 1 } };

    it('creates a type, adds versions and refuses an existing version', async () => {
      const created = await s().createEventType({ name: 'order.created', version: 1, now: T0, ...base });
      expect(created).toMatchObject({ name: 'order.created', group: 'Orders', deprecated: false });
      expect(created.versions).toEqual([{ version: 1, schema: null, example: { id: 1 }, createdAt: T0 }]);

      const schema = { type: 'object', required: ['id'] };
      await s().createEventType({
        ...base,
        name: 'order.created',
        version: 3,
        schema,
        group: null,
        description: '',
        now: T0 + 1,
      });
      const two = await s().createEventType({
        ...base,
        name: 'order.created',
        version: 2,
        description: 'Placed, v2',
        now: T0 + 2,
      });
      expect(two.versions.map((v) => v.version)).toEqual([1, 2, 3]);
      expect(two.versions[2]!.schema).toEqual(schema);
      // group and description change only when given
      expect(two.group).toBe('Orders');
      expect(two.description).toBe('Placed, v2');
      expect(two.updatedAt).toBe(T0 + 2);

      const err = await expectHeraldError(
        s().createEventType({ ...base, name: 'order.created', version: 2, now: T0 + 3 }),
        'conflict',
      );
      expect(err.message).toContain('2');
      expect((await s().getEventType('order.created'))?.versions).toHaveLength(3);
    });

    it('lists by name over pages, filters by group, updates and deletes', async () => {
      const names = ['b.one', 'a.one', 'c.one', 'd.one', 'e.one'];
      for (const [i, name] of names.entries()) {
        await s().createEventType({ ...base, name, version: 1, group: i % 2 ? 'odd' : 'even', now: T0 });
      }
      const { items, pages } = await allPages((cursor) => s().listEventTypes({}, { limit: 2, cursor }));
      expect(pages).toBe(3);
      expect(items.map((t) => t.name)).toEqual(['a.one', 'b.one', 'c.one', 'd.one', 'e.one']);
      expect(items.every((t) => t.versions.length === 1)).toBe(true);
      const odd = await s().listEventTypes({ group: 'odd' }, { limit: 10 });
      expect(odd.data.map((t) => t.name)).toEqual(['a.one', 'd.one']);
      expect(odd.nextCursor).toBeNull();

      const updated = await s().updateEventType('a.one', { deprecated: true, group: null }, T0 + 9);
      expect(updated).toMatchObject({
        deprecated: true,
        group: null,
        description: base.description,
        updatedAt: T0 + 9,
      });
      expect(await s().updateEventType('zzz', { deprecated: true }, T0)).toBeNull();
      expect(await s().deleteEventType('a.one')).toBe(true);
      expect(await s().deleteEventType('a.one')).toBe(false);
      expect(await s().getEventType('a.one')).toBeNull();
    });
  });

  describe('endpoints', () => {
    it('stores every field as given and hides it from other tenants', async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const full = endpointFixture('acme', {
        eventTypes: null,
        filter: null,
        signature: {
          scheme: 'hmac-sha256',
          header: 'X-Hub-Signature-256',
          prefix: 'sha256=',
          encoding: 'hex',
        },
        secrets: [
          { value: 'new-secret-value', expiresAt: null },
          { value: 'old-secret-value', expiresAt: T0 + 1000 },
        ],
        envelope: 'none',
        format: 'xml',
        method: 'PUT',
        retry: { maxAttempts: 3, schedule: [1, 60] },
        batch: { maxSize: 100, maxWaitMs: 2000 },
        rateLimit: { perSecond: 50, burst: 10 },
        overflow: 'drop-oldest',
        maxBacklog: 1000,
        ordered: true,
        requireVerification: true,
        verification: {
          request: { eventName: 'verify', payload: { challenge: '{{challenge}}' }, n: [1, null, true] },
          answerField: 'data.answer',
        },
        status: 'pending_verification',
        verifiedAt: T0 - 1,
        disabledReason: 'was gone',
        maxInFlight: 1,
      });
      expect(await s().createEndpoint(full)).toEqual(full);
      expect(await s().getEndpoint('acme', full.id)).toEqual(full);
      expect(await s().getEndpoint('other', full.id)).toBeNull();
      const plain = await s().createEndpoint(endpointFixture('acme'));
      expect(await s().getEndpoint('acme', plain.id)).toEqual(plain);

      const byIds = await s().getEndpointsByIds([plain.id, 'ep_unknown', full.id]);
      expect(byIds.map((e) => e.id).sort()).toEqual([full.id, plain.id].sort());
      expect(await s().getEndpointsByIds([])).toEqual([]);
      await expectHeraldError(s().createEndpoint(plain), 'conflict');
    });

    it('refuses an endpoint of an unknown tenant', async () => {
      await expect(s().createEndpoint(endpointFixture('ghost'))).rejects.toThrow();
      expect(await s().getEndpoint('ghost', 'ep_x')).toBeNull();
    });

    it('lists newest first over pages; receiving endpoints leave out disabled ones', async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const status = i === 1 ? 'disabled' : i === 2 ? 'paused' : 'active';
        ids.push((await s().createEndpoint(endpointFixture('acme', { status }, T0 + i))).id);
      }
      await s().createEndpoint(endpointFixture('other'));
      const { items, pages } = await allPages((cursor) => s().listEndpoints('acme', { limit: 2, cursor }));
      expect(pages).toBe(3);
      expect(items.map((e) => e.id)).toEqual([...ids].reverse());
      const receiving = await s().listReceivingEndpoints('acme');
      expect(receiving.map((e) => e.id).sort()).toEqual([ids[0], ids[2], ids[3], ids[4]].sort());
    });

    it('updates the given fields only, clears with null, and keeps identity', async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const ep = await s().createEndpoint(
        endpointFixture('acme', { batch: { maxSize: 10, maxWaitMs: 100 } }),
      );
      const updated = await s().updateEndpoint(
        'acme',
        ep.id,
        { url: 'https://example.org/new', batch: null, headers: {}, timeoutMs: 9000 },
        T0 + 10,
      );
      expect(updated).toEqual({
        ...ep,
        url: 'https://example.org/new',
        batch: null,
        headers: {},
        timeoutMs: 9000,
        updatedAt: T0 + 10,
      });
      expect(await s().getEndpoint('acme', ep.id)).toEqual(updated);
      expect(await s().updateEndpoint('other', ep.id, { url: 'https://evil.example' }, T0)).toBeNull();
      expect((await s().getEndpoint('acme', ep.id))?.url).toBe('https://example.org/new');
    });

    it('deleting an endpoint cancels its unfinished deliveries and keeps finished ones', async () => {
      await s().createTenant(tenantFixture('acme'));
      const ep = await s().createEndpoint(endpointFixture('acme'));
      const keep = await s().createEndpoint(endpointFixture('acme'));
      const first = await storeEvent(s(), 'acme', [ep.id]);
      const [claimed] = await s().claimDeliveries({ owner: 'w1', limit: 1, leaseMs: 1000, now: T0 });
      expect(claimed?.id).toBe(first.deliveryIds[0]);
      const second = await storeEvent(s(), 'acme', [ep.id, keep.id], { now: T0 + 1 });

      expect(await s().deleteEndpoint('other', ep.id, T0 + 2)).toBe(false);
      expect(await s().deleteEndpoint('acme', ep.id, T0 + 2)).toBe(true);
      expect(await s().deleteEndpoint('acme', ep.id, T0 + 2)).toBe(false);
      expect(await s().getEndpoint('acme', ep.id)).toBeNull();
      expect((await s().getDelivery(first.deliveryIds[0]!))?.status).toBe('cancelled');
      expect((await s().getDelivery(second.deliveryIds[0]!))?.status).toBe('cancelled');
      expect((await s().getDelivery(second.deliveryIds[1]!))?.status).toBe('pending');
      const claimable = await s().claimDeliveries({ owner: 'w1', limit: 10, leaseMs: 1000, now: T0 + 3 });
      expect(claimable.map((c) => c.id)).toEqual([second.deliveryIds[1]]);
    });
  });
}
