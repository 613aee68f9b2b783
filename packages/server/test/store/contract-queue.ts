import { describe, expect, it } from 'vitest';
import {
  attemptFixture,
  completion,
  endpointFixture,
  LEASE,
  queueHelpers,
  type StoreRef,
  storeEvent,
  T0,
} from './contract-fixtures.ts';

export function queueContract(s: StoreRef): void {
  const { setup, claim } = queueHelpers(s);

  describe('completing', () => {
    it('applies each outcome and records every attempt in one write', async () => {
      const ep = await setup();
      const ids = [];
      for (let i = 0; i < 3; i++)
        ids.push((await storeEvent(s(), 'acme', [ep.id], { now: T0 + i })).deliveryIds[0]!);
      const [ok, retry, dead] = await claim('w1', T0 + 10);
      const now = T0 + 20;
      await s().completeDeliveries(
        [
          completion(ok!, 'w1', { status: 'succeeded' }, { now }),
          completion(
            retry!,
            'w1',
            { status: 'pending', nextAttemptAt: T0 + 5000 },
            { now, responseStatus: null },
          ),
          completion(dead!, 'w1', { status: 'failed' }, { now, responseStatus: 503 }),
        ],
        now,
      );
      expect(await s().getDelivery(ids[0]!)).toMatchObject({
        status: 'succeeded',
        completedAt: now,
        lastStatusCode: 200,
        nextAttemptAt: null,
        attempts: 1,
      });
      expect(await s().getDelivery(ids[1]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 5000,
        completedAt: null,
        lastStatusCode: null,
        lastError: 'no response within 5000 ms',
      });
      expect(await s().getDelivery(ids[2]!)).toMatchObject({
        status: 'failed',
        completedAt: now,
        lastStatusCode: 503,
      });
      const log = await s().listAttempts('acme', {}, { limit: 10 });
      expect(log.data.map((a) => a.deliveryId).sort()).toEqual([...ids].sort());

      expect(await claim('w1', T0 + 4999)).toEqual([]);
      const [again] = await claim('w1', T0 + 5000);
      expect(again).toMatchObject({ id: ids[1], attemptNumber: 2, trigger: 'scheduled' });
    });

    it("records a stale owner's attempt but keeps the new owner's state", async () => {
      const ep = await setup();
      const { deliveryIds } = await storeEvent(s(), 'acme', [ep.id]);
      const [byA] = await claim('worker-a', T0);
      expect(await s().reclaimExpiredLeases(T0 + LEASE - 1)).toBe(0);
      expect(await s().reclaimExpiredLeases(T0 + LEASE)).toBe(1);
      expect(await s().getDelivery(deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + LEASE,
      });
      const [byB] = await claim('worker-b', T0 + LEASE + 1);
      expect(byB?.attemptNumber).toBe(2);

      const late = completion(byA!, 'worker-a', { status: 'failed' }, { now: T0 + LEASE + 2 });
      await s().completeDeliveries([late], T0 + LEASE + 2);
      expect(await s().getAttempt('acme', late.attempt.id)).toEqual(late.attempt);
      expect(await s().getDelivery(deliveryIds[0]!)).toMatchObject({
        status: 'in_flight',
        completedAt: null,
      });

      await s().completeDeliveries([completion(byB!, 'worker-b', { status: 'succeeded' })], T0 + LEASE + 3);
      expect((await s().getDelivery(deliveryIds[0]!))?.status).toBe('succeeded');
    });

    it('disables the endpoint when told to', async () => {
      const ep = await setup();
      await storeEvent(s(), 'acme', [ep.id]);
      const [c] = await claim('w1', T0);
      await s().completeDeliveries(
        [
          completion(
            c!,
            'w1',
            { status: 'failed' },
            { responseStatus: 410, disable: 'the endpoint answered 410 Gone' },
          ),
        ],
        T0 + 1,
      );
      expect(await s().getEndpoint('acme', ep.id)).toMatchObject({
        status: 'disabled',
        disabledReason: 'the endpoint answered 410 Gone',
      });
    });

    it('writes a batch whole or not at all', async () => {
      const ep = await setup();
      await storeEvent(s(), 'acme', [ep.id]);
      await storeEvent(s(), 'acme', [ep.id]);
      const [one, two] = await claim('w1', T0);
      const taken = attemptFixture({ tenantId: 'acme' });
      await s().insertAttempt(taken);
      const good = completion(one!, 'w1', { status: 'succeeded' });
      const bad = completion(two!, 'w1', { status: 'succeeded' });
      bad.attempt.requestId = taken.requestId; // request ids are unique
      await expect(s().completeDeliveries([good, bad], T0 + 1)).rejects.toThrow();
      expect(await s().getAttempt('acme', good.attempt.id)).toBeNull();
      expect((await s().getDelivery(one!.id))?.status).toBe('in_flight');
    });
  });

  describe('releasing, reclaiming, retrying', () => {
    it("gives back only the owner's leases, unsent and due now", async () => {
      const ep = await setup();
      const { deliveryIds } = await storeEvent(s(), 'acme', [ep.id]);
      const [c] = await claim('w1', T0);
      await s().releaseDeliveries('w2', [c!.id], T0 + 1);
      expect((await s().getDelivery(c!.id))?.status).toBe('in_flight');
      await s().releaseDeliveries('w1', [c!.id], T0 + 2);
      expect(await s().getDelivery(deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 2,
      });
      const [again] = await claim('w2', T0 + 2);
      expect(again).toMatchObject({ id: c!.id, attemptNumber: 1 });
    });

    it('reclaims only expired leases', async () => {
      const ep = await setup();
      await storeEvent(s(), 'acme', [ep.id]);
      await storeEvent(s(), 'acme', [ep.id], { now: T0 + 1000 });
      await claim('w1', T0, 1);
      await claim('w1', T0 + 1000, 1);
      expect(await s().reclaimExpiredLeases(T0 + LEASE + 500)).toBe(1);
      expect(await s().countDeliveries({ status: 'in_flight' })).toBe(1);
      expect(await s().reclaimExpiredLeases(T0 + LEASE + 500)).toBe(0);
    });

    it('retries by hand: finished deliveries become due now with trigger manual', async () => {
      const ep = await setup();
      const other = await s().createEndpoint(endpointFixture('acme', { retry: { maxAttempts: 1 } }));
      const { eventId, deliveryIds } = await storeEvent(s(), 'acme', [ep.id, other.id]);
      const claimed = await claim('w1', T0);
      await s().completeDeliveries(
        claimed.map((c) => completion(c, 'w1', { status: 'failed' })),
        T0 + 1,
      );

      expect(await s().retryDeliveries({ tenantId: 'other', eventId, now: T0 + 2 })).toEqual([]);
      expect(await s().retryDeliveries({ tenantId: 'acme', eventId: 'evt_unknown', now: T0 + 2 })).toEqual(
        [],
      );
      expect(
        await s().retryDeliveries({ tenantId: 'acme', eventId, endpointId: other.id, now: T0 + 3 }),
      ).toEqual([deliveryIds[1]]);
      expect(await s().getDelivery(deliveryIds[1]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 3,
        completedAt: null,
        attempts: 1, // a spent budget is not reset: the retry is an explicit extra attempt
      });
      expect((await s().getDelivery(deliveryIds[0]!))?.status).toBe('failed');

      const [manual] = await claim('w1', T0 + 3);
      expect(manual).toMatchObject({ id: deliveryIds[1], trigger: 'manual', attemptNumber: 2 });
      // In flight deliveries are left alone; the rest are retried.
      const retried = await s().retryDeliveries({ tenantId: 'acme', eventId, now: T0 + 4 });
      expect(retried).toEqual([deliveryIds[0]]);
      await s().completeDeliveries([completion(manual!, 'w1', { status: 'succeeded' })], T0 + 5);
      const [next] = await claim('w1', T0 + 6);
      expect(next).toMatchObject({ id: deliveryIds[0], trigger: 'manual' });
      await s().completeDeliveries(
        [completion(next!, 'w1', { status: 'pending', nextAttemptAt: T0 + 7 })],
        T0 + 6,
      );
      const [scheduled] = await claim('w1', T0 + 7);
      expect(scheduled).toMatchObject({ id: deliveryIds[0], trigger: 'scheduled', attemptNumber: 3 });
    });

    it('parks a retry for an endpoint that is not active, and skips deliveries of deleted endpoints', async () => {
      const ep = await setup();
      const gone = await s().createEndpoint(endpointFixture('acme'));
      const { eventId, deliveryIds } = await storeEvent(s(), 'acme', [ep.id, gone.id]);
      const claimed = await claim('w1', T0);
      await s().completeDeliveries(
        claimed.map((c) => completion(c, 'w1', { status: 'succeeded' })),
        T0 + 1,
      );
      await s().updateEndpoint('acme', ep.id, { status: 'paused' }, T0 + 2);
      await s().deleteEndpoint('acme', gone.id, T0 + 2);

      expect(await s().retryDeliveries({ tenantId: 'acme', eventId, now: T0 + 3 })).toEqual([deliveryIds[0]]);
      expect(await s().getDelivery(deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: null,
      });
      expect((await s().getDelivery(deliveryIds[1]!))?.status).toBe('succeeded');
      await s().updateEndpoint('acme', ep.id, { status: 'active' }, T0 + 4);
      expect((await claim('w1', T0 + 4)).map((c) => c.id)).toEqual([deliveryIds[0]]);
    });
  });
}
