import { describe, expect, it } from 'vitest';
import {
  completion,
  endpointFixture,
  LEASE,
  newEvent,
  queueHelpers,
  type StoreRef,
  storeEvent,
  T0,
} from './contract-fixtures.ts';

export function claimContract(s: StoreRef): void {
  const { setup, claim } = queueHelpers(s);

  describe('claiming', () => {
    it('claims due deliveries oldest first, with what a worker needs, once', async () => {
      const ep = await setup();
      const later = await storeEvent(s(), 'acme', [ep.id], { due: T0 + 200 });
      const first = await storeEvent(s(), 'acme', [ep.id], {
        now: T0 - 50,
        due: T0 - 50,
        event: { type: 'sensor.reading', version: 2, resource: 'dev-1', payload: '{"t":21.5}' },
      });
      const notYet = await storeEvent(s(), 'acme', [ep.id], { due: T0 + 10_000 });

      const claimed = await claim('w1', T0 + 500);
      expect(claimed.map((c) => c.id)).toEqual([first.deliveryIds[0], later.deliveryIds[0]]);
      expect(claimed[0]).toEqual({
        id: first.deliveryIds[0],
        tenantId: 'acme',
        endpointId: ep.id,
        eventId: first.eventId,
        attemptNumber: 1,
        trigger: 'scheduled',
        eventType: 'sensor.reading',
        eventVersion: 2,
        resource: 'dev-1',
        payload: '{"t":21.5}',
        eventCreatedAt: T0 - 50,
        leaseExpiresAt: T0 + 500 + LEASE,
      });
      expect(await s().getDelivery(first.deliveryIds[0]!)).toMatchObject({
        status: 'in_flight',
        attempts: 1,
      });
      expect(await claim('w2', T0 + 600)).toEqual([]);
      expect((await s().getDelivery(notYet.deliveryIds[0]!))?.status).toBe('pending');
      expect(await s().countDeliveries({ status: 'in_flight' })).toBe(2);
    });

    it('respects the limit', async () => {
      const ep = await setup();
      for (let i = 0; i < 5; i++) await storeEvent(s(), 'acme', [ep.id], { now: T0 + i });
      expect(await claim('w1', T0 + 10, 3)).toHaveLength(3);
      expect(await claim('w1', T0 + 10, 3)).toHaveLength(2);
    });

    it('shares the limit across endpoints in due order: one with little due hands the rest on', async () => {
      const few = await setup(50);
      const many = await s().createEndpoint(endpointFixture('acme', { maxInFlight: 50 }));
      const third = await s().createEndpoint(endpointFixture('acme', { maxInFlight: 50 }));
      await storeEvent(s(), 'acme', [few.id], { now: T0 });
      for (let i = 0; i < 8; i++) await storeEvent(s(), 'acme', [many.id], { now: T0 + 1 + i });
      for (let i = 0; i < 8; i++) await storeEvent(s(), 'acme', [third.id], { now: T0 + 20 + i });
      const claimed = await claim('w1', T0 + 100, 10);
      const ids = claimed.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      const per = (id: string) => claimed.filter((c) => c.endpointId === id).length;
      expect([per(few.id), per(many.id), per(third.id)]).toEqual([1, 8, 1]);
      // The rest in later claims, each once.
      const rest = await claim('w1', T0 + 100, 100);
      expect(rest).toHaveLength(7);
      expect(rest.every((c) => c.endpointId === third.id && !ids.includes(c.id))).toBe(true);
    });

    it('never lets an endpoint pass maxInFlight, and never starves the others', async () => {
      const slow = await setup(2);
      const fast = await s().createEndpoint(endpointFixture('acme', { maxInFlight: 100 }));
      for (let i = 0; i < 6; i++) await storeEvent(s(), 'acme', [slow.id], { now: T0 + i });
      for (let i = 0; i < 3; i++) await storeEvent(s(), 'acme', [fast.id], { now: T0 + 10 + i });

      const first = await claim('w1', T0 + 100);
      expect(first.filter((c) => c.endpointId === slow.id)).toHaveLength(2);
      expect(first.filter((c) => c.endpointId === fast.id)).toHaveLength(3);
      // Another worker sees the same limit: the count is in the store, not in the worker.
      expect(await claim('w2', T0 + 101)).toEqual([]);

      const done = first.find((c) => c.endpointId === slow.id)!;
      await s().completeDeliveries(
        [completion(done, 'w1', { status: 'succeeded' }, { now: T0 + 102 })],
        T0 + 102,
      );
      const next = await claim('w2', T0 + 103);
      expect(next.map((c) => c.endpointId)).toEqual([slow.id]);

      // An expired lease no longer holds a slot.
      const afterExpiry = await claim('w3', T0 + 100 + LEASE);
      expect(afterExpiry.map((c) => c.endpointId)).toEqual([slow.id]);
    });

    it('parks deliveries of endpoints that are not active, and makes them due on activation', async () => {
      const ep = await setup();
      const paused = await s().createEndpoint(endpointFixture('acme', { status: 'paused' }));
      const due = await storeEvent(s(), 'acme', [paused.id, ep.id]);
      const parked = await storeEvent(s(), 'acme', [paused.id], { due: null });

      const claimed = await claim('w1', T0 + 1);
      expect(claimed.map((c) => c.id)).toEqual([due.deliveryIds[1]]);
      expect(await s().getDelivery(due.deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: null,
      });
      expect(await s().getDelivery(parked.deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: null,
      });
      expect(await s().nextDueAt()).toBeNull();

      await s().updateEndpoint('acme', paused.id, { name: 'still paused' }, T0 + 2);
      expect(await claim('w1', T0 + 3)).toEqual([]);
      await s().updateEndpoint('acme', paused.id, { status: 'active' }, T0 + 5);
      // Due from when it was created: a resumed backlog sorts before what arrived while it waited.
      const resumed = await s().getDelivery(parked.deliveryIds[0]!);
      expect(resumed?.nextAttemptAt).toBe(resumed?.createdAt);
      expect(await s().nextDueAt()).toBe(resumed?.createdAt);
      const unparked = await claim('w1', T0 + 5);
      expect(unparked.map((c) => c.id).sort()).toEqual([due.deliveryIds[0], parked.deliveryIds[0]].sort());
    });

    it('resumes a parked backlog of several chunks: each delivery once, the backlog before what arrived since', async () => {
      await setup();
      const ep = await s().createEndpoint(endpointFixture('acme', { status: 'paused', maxInFlight: 100 }));
      const parked: string[] = [];
      for (let i = 0; i < 2_500; i += 500) {
        const events = Array.from({ length: 500 }, (_, j) =>
          newEvent('acme', [ep.id], { now: T0 + i + j, due: null }),
        );
        for (const inserted of await s().insertEvents(events)) parked.push(...inserted.deliveryIds);
      }
      await s().updateEndpoint('acme', ep.id, { status: 'active' }, T0 + 5_000);
      const fresh: string[] = [];
      const seen: string[] = [];
      for (let round = 0, now = T0 + 5_001; round < 100; round++, now++) {
        // A new event every round, due at once, while the backlog drains.
        if (round < 40)
          fresh.push(...(await s().insertEvents([newEvent('acme', [ep.id], { now })]))[0]!.deliveryIds);
        const taken = await claim('w1', now, 100);
        if (taken.length === 0 && round >= 40) break;
        seen.push(...taken.map((c) => c.id));
        await s().completeDeliveries(
          taken.map((c) => completion(c, 'w1', { status: 'succeeded' }, { now })),
          now,
        );
      }
      expect(seen.length).toBe(parked.length + fresh.length);
      expect(new Set(seen)).toEqual(new Set([...parked, ...fresh]));
      const lastParked = Math.max(...parked.map((id) => seen.indexOf(id)));
      const firstFresh = Math.min(...fresh.map((id) => seen.indexOf(id)));
      expect(lastParked).toBeLessThan(firstFresh);
    });

    it('tells when the next delivery is due', async () => {
      const ep = await setup();
      expect(await s().nextDueAt()).toBeNull();
      await storeEvent(s(), 'acme', [ep.id], { due: T0 + 900 });
      await storeEvent(s(), 'acme', [ep.id], { due: T0 + 300 });
      expect(await s().nextDueAt()).toBe(T0 + 300);
      await claim('w1', T0 + 300);
      expect(await s().nextDueAt()).toBe(T0 + 900);
    });
  });

  describe('wake-ups', () => {
    it('calls listeners on notifyWork until they unsubscribe', () => {
      let calls = 0;
      const off = s().onWork(() => calls++);
      s().notifyWork();
      s().notifyWork();
      off();
      s().notifyWork();
      expect(calls).toBe(2);
    });
  });
}
