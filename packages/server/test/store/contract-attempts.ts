import { describe, expect, it } from 'vitest';
import { ATTEMPT_TRIGGERS, LOGGED_TRIGGERS } from '../../src/domain/log-filters.ts';
import type { Attempt } from '../../src/domain/types.ts';
import type { AttemptFilter } from '../../src/store/port.ts';
import {
  allPages,
  attemptFixture,
  endpointFixture,
  type StoreRef,
  storeEvent,
  T0,
  tenantFixture,
} from './contract-fixtures.ts';

export function attemptsContract(s: StoreRef): void {
  describe('the attempt log', () => {
    it('stores an attempt exactly, visible only to its tenant', async () => {
      await s().createTenant(tenantFixture('acme'));
      const attempt = attemptFixture({
        tenantId: 'acme',
        trigger: 'test',
        method: 'PATCH',
        responseStatus: null,
        error: { kind: 'connection_refused', message: 'connect ECONNREFUSED 10.0.0.1:443' },
        requestHeaders: { 'x-request-id': 'req_1', 'webhook-signature': 'v1,abc' },
      });
      await s().insertAttempt(attempt);
      expect(await s().getAttempt('acme', attempt.id)).toEqual(attempt);
      expect(await s().getAttempt('other', attempt.id)).toBeNull();
      expect(await s().getAttempt('acme', 'att_unknown')).toBeNull();
    });

    /**
     * Twelve attempts over two endpoints and event types, one per second:
     * i % 4 picks the status (200, 404, 503, no response), i % 2 the endpoint,
     * i % 3 === 0 makes it a test send.
     */
    const seed = async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const a = await s().createEndpoint(endpointFixture('acme'));
      const b = await s().createEndpoint(endpointFixture('acme'));
      const event = await storeEvent(s(), 'acme', [a.id]);
      const statuses = [200, 404, 503, null] as const;
      const attempts: Attempt[] = [];
      for (let i = 0; i < 12; i++) {
        const attempt = attemptFixture({
          tenantId: 'acme',
          endpointId: i % 2 === 0 ? a.id : b.id,
          eventId: i < 4 ? event.eventId : null,
          eventType: i < 6 ? 'order.created' : 'order.paid',
          trigger: i % 3 === 0 ? 'test' : 'scheduled',
          responseStatus: statuses[i % 4]!,
          createdAt: T0 + i * 1000,
        });
        await s().insertAttempt(attempt);
        attempts.push(attempt);
      }
      await s().insertAttempt(attemptFixture({ tenantId: 'other', createdAt: T0 }));
      return { a, b, event, attempts };
    };

    it('lists newest first over pages and applies every filter', async () => {
      const { a, b, event, attempts } = await seed();
      // Every trigger unless a case names its own (test sends are left out by default: see
      // test/store/attempt-log.test.ts); these cases are about the other filters.
      const list = async (filter: AttemptFilter) =>
        (
          await allPages((cursor) =>
            s().listAttempts('acme', { triggers: ATTEMPT_TRIGGERS, ...filter }, { limit: 5, cursor }),
          )
        ).items.map((x) => attempts.findIndex((y) => y.id === x.id));
      expect(await list({})).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      const page = await s().listAttempts('acme', {}, { limit: 5 });
      expect(page.data[0]).toEqual(attempts[11]);
      expect(await list({ triggers: LOGGED_TRIGGERS })).toEqual([11, 10, 8, 7, 5, 4, 2, 1]);
      expect(await list({ endpointId: a.id })).toEqual([10, 8, 6, 4, 2, 0]);
      expect(await list({ endpointId: b.id, triggers: LOGGED_TRIGGERS })).toEqual([11, 7, 5, 1]);
      expect(await list({ eventType: 'order.paid' })).toEqual([11, 10, 9, 8, 7, 6]);
      expect(await list({ eventId: event.eventId })).toEqual([3, 2, 1, 0]);
      expect(await list({ status: 'succeeded' })).toEqual([8, 4, 0]);
      expect(await list({ status: 'failed' })).toEqual([11, 10, 9, 7, 6, 5, 3, 2, 1]);
      expect(await list({ statusCode: { exact: 404 } })).toEqual([9, 5, 1]);
      expect(await list({ statusCode: { class: 5 } })).toEqual([10, 6, 2]);
      expect(await list({ statusCode: { class: 2 } })).toEqual([8, 4, 0]);
      expect(await list({ since: T0 + 9000 })).toEqual([11, 10, 9]);
      expect(await list({ until: T0 + 2000 })).toEqual([2, 1, 0]);
      expect(await list({ requestId: attempts[7]!.requestId })).toEqual([7]);
      expect(
        await list({ endpointId: a.id, status: 'failed', since: T0 + 2000, until: T0 + 10_000 }),
      ).toEqual([10, 6, 2]);
      expect(await list({ eventType: 'nothing' })).toEqual([]);
    });

    it('lists newest first by time, ties by id, stable over pages whatever order the ids are in', async () => {
      await s().createTenant(tenantFixture('acme'));
      // Ids minted out of time order (a slow request is recorded last), and two made in one millisecond.
      const made = [T0 + 3000, T0 + 1000, T0 + 2000, T0 + 2000, T0].map((createdAt) =>
        attemptFixture({ tenantId: 'acme', createdAt }),
      );
      for (const a of made) await s().insertAttempt(a);
      const expected = [...made]
        .sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1))
        .map((a) => a.id);
      for (const limit of [1, 2, 10]) {
        const { items } = await allPages((cursor) => s().listAttempts('acme', {}, { limit, cursor }));
        expect(
          items.map((a) => a.id),
          `limit ${limit}`,
        ).toEqual(expected);
      }
    });

    it('matches event type patterns as endpoints do, and request ids by their beginning', async () => {
      await s().createTenant(tenantFixture('acme'));
      const types = ['order.created', 'order.refund.created', 'orders.created', 'user.created', 'order'];
      const made = types.map((eventType, i) =>
        attemptFixture({ tenantId: 'acme', eventType, createdAt: T0 + i * 1000 }),
      );
      for (const a of made) await s().insertAttempt(a);
      const typesOf = async (filter: AttemptFilter) =>
        (await s().listAttempts('acme', filter, { limit: 50 })).data.map((a) => a.eventType).sort();
      expect(await typesOf({ eventType: 'order.*' })).toEqual(['order.created', 'order.refund.created']);
      expect(await typesOf({ eventType: '*.created' })).toEqual([
        'order.created',
        'orders.created',
        'user.created',
      ]);
      expect(await typesOf({ eventType: 'order.*.created' })).toEqual(['order.refund.created']);
      expect(await typesOf({ eventType: '*' })).toEqual([...types].sort());
      expect(await typesOf({ eventType: 'order' })).toEqual(['order']);
      const one = made[2]!;
      const ids = async (filter: AttemptFilter) =>
        (await s().listAttempts('acme', filter, { limit: 50 })).data.map((a) => a.id);
      expect(await ids({ requestId: one.requestId })).toEqual([one.id]);
      expect(await ids({ requestId: one.requestId.slice(0, -4) })).toContain(one.id);
      expect(await ids({ requestId: one.requestId.toLowerCase() })).toEqual([]);
      expect((await ids({ requestId: 'req_' })).length).toBe(types.length);
      expect((await s().summarizeAttempts('acme', { eventType: 'order.*' })).total).toBe(2);
    });

    it('summarizes attempts without tests, and counts unfinished deliveries', async () => {
      const { a, b, event } = await seed();
      expect(await s().summarizeAttempts('acme', {})).toEqual({
        total: 8,
        succeeded: 2,
        failed: 6,
        pending: 1,
      });
      expect(await s().summarizeAttempts('acme', { triggers: ATTEMPT_TRIGGERS })).toMatchObject({ total: 8 });
      expect(await s().summarizeAttempts('acme', { endpointId: b.id })).toEqual({
        total: 4,
        succeeded: 0,
        failed: 4,
        pending: 0,
      });
      expect(await s().summarizeAttempts('acme', { statusCode: { class: 5 } })).toMatchObject({
        total: 2,
        succeeded: 0,
        failed: 2,
      });
      expect(await s().summarizeAttempts('acme', { status: 'succeeded' })).toMatchObject({
        total: 2,
        failed: 0,
      });
      expect(await s().summarizeAttempts('other', {})).toEqual({
        total: 1,
        succeeded: 1,
        failed: 0,
        pending: 0,
      });

      // pending: deliveries still pending or in flight, filtered by what a delivery has.
      const later = await storeEvent(s(), 'acme', [a.id, b.id], {
        now: T0 + 60_000,
        event: { type: 'order.paid' },
      });
      const [inFlight] = await s().claimDeliveries({
        owner: 'w1',
        limit: 1,
        leaseMs: 1000,
        now: T0 + 60_000,
      });
      expect(inFlight?.id).toBe(event.deliveryIds[0]);
      const pendingOf = async (filter: AttemptFilter) =>
        (await s().summarizeAttempts('acme', filter)).pending;
      expect(await pendingOf({})).toBe(3);
      expect(await pendingOf({ endpointId: b.id })).toBe(1);
      expect(await pendingOf({ eventType: 'order.paid' })).toBe(2);
      expect(await pendingOf({ eventId: later.eventId })).toBe(2);
      expect(await pendingOf({ since: T0 + 60_000 })).toBe(2);
      expect(await pendingOf({ until: T0 + 59_999 })).toBe(1);
      // Event type patterns count pending deliveries as they filter attempts.
      expect(await pendingOf({ eventType: 'order.*' })).toBe(3);
      expect(await pendingOf({ eventType: '*.paid' })).toBe(2);
      expect(await pendingOf({ eventType: 'user.*' })).toBe(0);

      await s().completeDeliveries(
        [
          {
            deliveryId: inFlight!.id,
            owner: 'w1',
            outcome: { status: 'succeeded' },
            attempt: attemptFixture({
              tenantId: 'acme',
              deliveryId: inFlight!.id,
              endpointId: a.id,
              eventId: event.eventId,
              createdAt: T0 + 60_001,
            }),
          },
        ],
        T0 + 60_001,
      );
      expect(await s().summarizeAttempts('acme', {})).toEqual({
        total: 9,
        succeeded: 3,
        failed: 6,
        pending: 2,
      });
    });
  });
}
