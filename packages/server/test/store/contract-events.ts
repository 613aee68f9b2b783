import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import {
  allPages,
  endpointFixture,
  eventFixture,
  newEvent,
  type StoreRef,
  storeEvent,
  T0,
  tenantFixture,
} from './contract-fixtures.ts';

export function eventsContract(s: StoreRef): void {
  describe('events and deliveries', () => {
    const setup = async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const a = await s().createEndpoint(endpointFixture('acme'));
      const b = await s().createEndpoint(endpointFixture('acme'));
      return { a, b };
    };

    it('stores an event with one delivery per endpoint, visible only to its tenant', async () => {
      const { a, b } = await setup();
      const item = newEvent('acme', [a.id, b.id], { event: { resource: 'dev-1' } });
      const [inserted] = await s().insertEvents([item]);
      expect(inserted).toEqual({
        event: item.event,
        deliveryIds: item.deliveries.map((d) => d.id),
        duplicate: false,
      });
      expect(await s().getEvent('acme', item.event.id)).toEqual(item.event);
      expect(await s().getEvent('other', item.event.id)).toBeNull();

      const deliveries = await s().listDeliveriesForEvent('acme', item.event.id);
      expect(deliveries.map((d) => d.endpointId).sort()).toEqual([a.id, b.id].sort());
      expect(deliveries[0]).toMatchObject({
        tenantId: 'acme',
        eventId: item.event.id,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0,
        lastStatusCode: null,
        lastError: null,
        completedAt: null,
        createdAt: T0,
      });
      expect(await s().listDeliveriesForEvent('other', item.event.id)).toEqual([]);
      expect(await s().getDelivery(item.deliveries[1]!.id)).toEqual(
        deliveries.find((d) => d.id === item.deliveries[1]!.id),
      );
      expect(await s().getDelivery('dlv_unknown')).toBeNull();
      expect(await s().countDeliveries({})).toBe(2);
      expect(await s().countDeliveries({ endpointId: a.id, status: 'pending' })).toBe(1);
      expect(await s().countDeliveries({ status: 'succeeded' })).toBe(0);
    });

    it('stores an event with no deliveries', async () => {
      await setup();
      const [inserted] = await s().insertEvents([newEvent('acme', [])]);
      expect(inserted?.deliveryIds).toEqual([]);
      expect(await s().getEvent('acme', inserted!.event.id)).not.toBeNull();
    });

    it('answers an idempotency key seen before with the first event and stores nothing new', async () => {
      const { a, b } = await setup();
      const first = newEvent('acme', [a.id, b.id], { event: { idempotencyKey: 'order-42' } });
      const [original] = await s().insertEvents([first]);
      const again = newEvent('acme', [a.id], { now: T0 + 5, event: { idempotencyKey: 'order-42' } });
      const [repeat] = await s().insertEvents([again]);
      expect(repeat).toEqual({ event: first.event, deliveryIds: original!.deliveryIds, duplicate: true });
      expect(await s().getEvent('acme', again.event.id)).toBeNull();
      expect(await s().countDeliveries({})).toBe(2);
      expect(await s().findEventByIdempotencyKey('acme', 'order-42')).toEqual(first.event);
      expect(await s().findEventByIdempotencyKey('other', 'order-42')).toBeNull();

      // Keys are per tenant; and a key repeated inside one batch stores the event once.
      const otherEp = await s().createEndpoint(endpointFixture('other'));
      const [foreign] = await s().insertEvents([
        newEvent('other', [otherEp.id], { event: { idempotencyKey: 'order-42' } }),
      ]);
      expect(foreign?.duplicate).toBe(false);
      const batch = await s().insertEvents([
        newEvent('acme', [a.id], { event: { idempotencyKey: 'k2' } }),
        newEvent('acme', [a.id], { event: { idempotencyKey: 'k2' } }),
      ]);
      expect(batch.map((r) => r.duplicate)).toEqual([false, true]);
      expect(batch[1]!.event.id).toBe(batch[0]!.event.id);
      expect(batch[1]!.deliveryIds).toEqual(batch[0]!.deliveryIds);
    });

    it('stores a batch whole or not at all', async () => {
      const { a } = await setup();
      const good = newEvent('acme', [a.id]);
      const bad = newEvent('ghost', [a.id]);
      await expect(s().insertEvents([good, bad])).rejects.toThrow();
      expect(await s().getEvent('acme', good.event.id)).toBeNull();
      expect(await s().countDeliveries({})).toBe(0);

      // A duplicate event id also rolls the whole batch back.
      const stored = newEvent('acme', [a.id]);
      await s().insertEvents([stored]);
      const fresh = newEvent('acme', [a.id]);
      const clash = { ...newEvent('acme', [a.id]), event: { ...stored.event } };
      await expect(s().insertEvents([fresh, clash])).rejects.toThrow();
      expect(await s().getEvent('acme', fresh.event.id)).toBeNull();
      expect(await s().countDeliveries({})).toBe(1);
    });

    it('lists events newest first, over pages, with every filter', async () => {
      const { a } = await setup();
      const ids: string[] = [];
      for (let i = 0; i < 9; i++) {
        const event = {
          type: i % 3 === 0 ? 'order.created' : 'order.paid',
          resource: i % 2 === 0 ? 'dev-even' : 'dev-odd',
        };
        ids.push((await storeEvent(s(), 'acme', [a.id], { now: T0 + i * 1000, event })).eventId);
      }
      await s().insertEvents([{ event: eventFixture('other'), deliveries: [] }]);

      const { items, pages } = await allPages((cursor) => s().listEvents('acme', {}, { limit: 4, cursor }));
      expect(pages).toBe(3);
      expect(items.map((e) => e.id)).toEqual([...ids].reverse());

      const list = async (filter: Parameters<ReturnType<StoreRef>['listEvents']>[1]) =>
        (await allPages((cursor) => s().listEvents('acme', filter, { limit: 2, cursor }))).items.map((e) =>
          ids.indexOf(e.id),
        );
      expect(await list({ type: 'order.created' })).toEqual([6, 3, 0]);
      expect(await list({ resource: 'dev-odd' })).toEqual([7, 5, 3, 1]);
      expect(await list({ since: T0 + 6000 })).toEqual([8, 7, 6]);
      expect(await list({ until: T0 + 2000 })).toEqual([2, 1, 0]);
      expect(await list({ since: T0 + 2000, until: T0 + 4000, type: 'order.paid' })).toEqual([4, 2]);
      expect(await list({ type: 'nothing' })).toEqual([]);
    });

    it('keeps delivery ids the caller chose', async () => {
      const { a } = await setup();
      const deliveryId = newId('dlv');
      await s().insertEvents([
        {
          event: eventFixture('acme'),
          deliveries: [{ id: deliveryId, endpointId: a.id, nextAttemptAt: T0 }],
        },
      ]);
      expect((await s().getDelivery(deliveryId))?.endpointId).toBe(a.id);
    });
  });
}
