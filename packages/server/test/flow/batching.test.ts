import { verifyStandardWebhook } from '@herald/sdk';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderAttempt } from '../../src/api/render.ts';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Endpoint } from '../../src/domain/types.ts';
import type { NewEvent, Store } from '../../src/store/port.ts';
import { makeEndpoint, TEST_SECRET } from '../helpers/fixtures.ts';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { type ReceivedRequest, type ReceiverReply, startReceiver } from '../helpers/receiver.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const SECOND = 1000;

const stores: { name: string; skip: boolean; open(): Promise<{ store: Store; cleanup(): Promise<void> }> }[] =
  [
    { name: 'SQLite', skip: false, open: tempSqliteStore },
    { name: 'PostgreSQL', skip: !pgAvailable, open: () => tempPgStore('batching') },
  ];

/** Stores `count` events owed to the endpoint, accepted at `now`, in chunks as the API would. */
async function insertEvents(store: Store, endpointId: string, count: number, now: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const chunk: NewEvent[] = [];
    for (let i = start; i < Math.min(count, start + 200); i++) {
      const id = newId('evt', now);
      ids.push(id);
      chunk.push({
        event: {
          id,
          tenantId: 't1',
          type: 'reading.recorded',
          version: 1,
          resource: null,
          payload: JSON.stringify({ n: i }),
          idempotencyKey: null,
          createdAt: now,
        },
        deliveries: [{ id: newId('dlv', now), endpointId, nextAttemptAt: now }],
      });
    }
    await store.insertEvents(chunk);
  }
  return ids;
}

/** The event ids a batch request carried, after checking its signature over the exact body. */
function verifiedEventIds(req: ReceivedRequest): string[] {
  // The fake clock sends old timestamps: the replay window is checked against the request's own time.
  verifyStandardWebhook(TEST_SECRET, req.headers, req.body, {
    nowSec: Number(req.headers['webhook-timestamp']),
  });
  const payload = JSON.parse(req.body) as { id: string }[];
  expect(Array.isArray(payload)).toBe(true);
  return payload.map((envelope) => envelope.id);
}

for (const kind of stores) {
  describe.skipIf(kind.skip)(`batching (${kind.name}, fake clock)`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = T0;
    const clock = { now: () => now };
    const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
    let replies: ReceiverReply[] = [];
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
      now = T0;
      replies = [];
      receiver = await startReceiver((_req, i) => replies[i] ?? { status: 200 });
    });
    afterEach(async () => {
      await receiver.close();
      await cleanup();
    });

    const dispatcher = () =>
      new Dispatcher({
        store,
        sender: http,
        clock,
        random: () => 0.5,
        userAgent: 'Herald/test',
        logger: pino({ level: 'silent' }),
      });

    const batchEndpoint = (batch: Endpoint['batch'], overrides: Partial<Endpoint> = {}) =>
      store.createEndpoint(makeEndpoint('t1', `${receiver.url}/hook`, { batch, ...overrides }, T0));

    it('sends 1,234 events with maxSize 500 as exactly 3 signed requests, each event once', async () => {
      const ep = await batchEndpoint({ maxSize: 500, maxWaitMs: 10 * SECOND });
      const eventIds = await insertEvents(store, ep.id, 1234, T0);
      const d = dispatcher();

      // Two full batches at once; the remaining 234 wait for the oldest of them to have waited maxWaitMs.
      expect(await d.runOnce()).toBe(2);
      now = T0 + 10 * SECOND - 1;
      expect(await d.runOnce()).toBe(0);
      expect(await store.nextDueAt()).toBe(T0 + 10 * SECOND);
      now = T0 + 10 * SECOND;
      expect(await d.runOnce()).toBe(1);
      now += 60 * SECOND;
      expect(await d.runOnce()).toBe(0);

      expect(receiver.requests).toHaveLength(3);
      const carried = receiver.requests.map(verifiedEventIds);
      expect(carried.map((ids) => ids.length).sort()).toEqual([234, 500, 500]);
      expect(carried.flat().sort()).toEqual([...eventIds].sort());
      const webhookIds = receiver.requests.map((r) => r.headers['webhook-id']);
      expect(new Set(webhookIds).size).toBe(3);
      for (const id of webhookIds) expect(id).toMatch(/^msg_/);
      expect(receiver.requests.every((r) => r.headers['content-type']?.startsWith('application/json'))).toBe(
        true,
      );

      expect(await store.countDeliveries({ endpointId: ep.id, status: 'succeeded' })).toBe(1234);
      // The log shows which events each request carried.
      const log = await store.listAttempts('t1', { endpointId: ep.id }, { limit: 10 });
      expect(log.data).toHaveLength(3);
      const rendered = log.data.map(renderAttempt);
      expect(rendered.flatMap((a) => a.eventIds).sort()).toEqual([...eventIds].sort());
      expect(rendered.map((a) => a.batchId).sort()).toEqual([...webhookIds].sort());
      expect(rendered.every((a) => a.deliveryId === null && a.succeeded)).toBe(true);
    });

    it('flushes a slow trickle once the oldest event has waited maxWaitMs', async () => {
      const ep = await batchEndpoint({ maxSize: 10, maxWaitMs: 5 * SECOND });
      const d = dispatcher();
      const [first] = await insertEvents(store, ep.id, 1, T0);
      expect(await d.runOnce()).toBe(0);
      now = T0 + 2 * SECOND;
      const [second] = await insertEvents(store, ep.id, 1, now);
      expect(await d.runOnce()).toBe(0);
      // Workers sleep until then rather than polling a backlog that is not ready.
      expect(await store.nextDueAt()).toBe(T0 + 5 * SECOND);
      now = T0 + 5 * SECOND - 1;
      expect(await d.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(0);

      now = T0 + 5 * SECOND;
      expect(await d.runOnce()).toBe(1);
      expect(receiver.requests).toHaveLength(1);
      expect(verifiedEventIds(receiver.requests[0]!)).toEqual([first, second]);
      expect(await store.nextDueAt()).toBeNull();
    });

    it('retries a failed batch as a unit, with the same webhook-id and events', async () => {
      const ep = await batchEndpoint(
        { maxSize: 3, maxWaitMs: SECOND },
        { retry: { maxAttempts: 3, schedule: [30] } },
      );
      const eventIds = await insertEvents(store, ep.id, 3, T0);
      replies = [{ status: 503 }];
      const d = dispatcher();

      expect(await d.runOnce()).toBe(1);
      const deliveries = await Promise.all(eventIds.map((id) => store.listDeliveriesForEvent('t1', id)));
      for (const [dl] of deliveries) {
        expect(await store.getDelivery(dl!.id)).toMatchObject({
          status: 'pending',
          attempts: 1,
          nextAttemptAt: T0 + 30 * SECOND,
          lastStatusCode: 503,
        });
      }
      // Events accepted meanwhile do not join the failed batch: they start a batch of their own.
      now = T0 + 10 * SECOND;
      const [late] = await insertEvents(store, ep.id, 1, now);

      // The retry and the late event's own batch, as two requests.
      now = T0 + 30 * SECOND;
      expect(await d.runOnce()).toBe(2);
      expect(receiver.requests).toHaveLength(3);
      const failed = receiver.requests[0]!;
      const retried = receiver.requests.find((r, i) => i > 0 && verifiedEventIds(r).length === 3);
      const lateBatch = receiver.requests.find((r) => verifiedEventIds(r).length === 1);
      expect(retried!.headers['webhook-id']).toBe(failed!.headers['webhook-id']);
      expect(verifiedEventIds(retried!)).toEqual(verifiedEventIds(failed!));
      expect(verifiedEventIds(failed!)).toEqual(eventIds);
      expect(verifiedEventIds(lateBatch!)).toEqual([late]);
      expect(lateBatch!.headers['webhook-id']).not.toBe(failed!.headers['webhook-id']);

      for (const [dl] of deliveries) {
        expect(await store.getDelivery(dl!.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
      }
      const log = await store.listAttempts('t1', { endpointId: ep.id }, { limit: 10 });
      const sent = log.data.filter((a) => a.eventId === eventIds[0]).map(renderAttempt);
      expect(sent.map((a) => [a.attemptNumber, a.succeeded]).sort()).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(sent.every((a) => a.batchId === failed!.headers['webhook-id'])).toBe(true);
      expect(sent.every((a) => a.eventIds.join() === eventIds.join())).toBe(true);
    });

    it('gives a batch up after maxAttempts: it and all its deliveries fail', async () => {
      const ep = await batchEndpoint(
        { maxSize: 2, maxWaitMs: SECOND },
        { retry: { maxAttempts: 2, schedule: [5] } },
      );
      const eventIds = await insertEvents(store, ep.id, 2, T0);
      replies = [{ status: 500 }, { status: 500 }];
      const d = dispatcher();
      expect(await d.runOnce()).toBe(1);
      now = T0 + 5 * SECOND;
      expect(await d.runOnce()).toBe(1);
      now += 60 * SECOND;
      expect(await d.runOnce()).toBe(0);
      for (const id of eventIds) {
        const [dl] = await store.listDeliveriesForEvent('t1', id);
        expect(dl).toMatchObject({ status: 'failed', attempts: 2 });
      }
    });

    it('never hands batching deliveries to the normal claim, and counts a batch as one in flight', async () => {
      const ep = await batchEndpoint({ maxSize: 2, maxWaitMs: 0 }, { maxInFlight: 1 });
      await insertEvents(store, ep.id, 6, T0);
      expect(await store.claimDeliveries({ owner: 'w1', limit: 10, leaseMs: 1000, now: T0 })).toEqual([]);
      const first = await store.claimBatches({ owner: 'w1', limit: 10, leaseMs: 1000, now: T0 });
      expect(first.map((b) => b.deliveries.length)).toEqual([2]);
      // The endpoint's one slot is taken: another worker gets nothing until it frees.
      expect(await store.claimBatches({ owner: 'w2', limit: 10, leaseMs: 1000, now: T0 })).toEqual([]);
    });

    it('parks the backlog of a paused endpoint and gathers it once the endpoint is active', async () => {
      const ep = await batchEndpoint({ maxSize: 5, maxWaitMs: SECOND }, { status: 'paused' });
      const eventIds = await insertEvents(store, ep.id, 2, T0);
      now = T0 + 10 * SECOND;
      expect(await store.claimBatches({ owner: 'w1', limit: 5, leaseMs: 1000, now })).toEqual([]);
      // Parked: nothing is due, so idle workers do not spin on it.
      expect(await store.nextDueAt()).toBeNull();
      await store.updateEndpoint('t1', ep.id, { status: 'active' }, now);
      const [batch] = await store.claimBatches({ owner: 'w1', limit: 5, leaseMs: 1000, now });
      expect(batch?.deliveries.map((x) => x.eventId)).toEqual(eventIds);
    });

    it('sends a batch again after its worker died (lease ended), with the same id and events', async () => {
      const ep = await batchEndpoint({ maxSize: 3, maxWaitMs: 0 });
      await insertEvents(store, ep.id, 3, T0);
      const [lost] = await store.claimBatches({ owner: 'dead', limit: 1, leaseMs: 1000, now: T0 });
      expect(lost).toBeDefined();
      now = lost!.leaseExpiresAt;
      await store.reclaimExpiredLeases(now);
      const [again] = await store.claimBatches({ owner: 'alive', limit: 1, leaseMs: 1000, now });
      expect(again?.id).toBe(lost!.id);
      expect(again?.attemptNumber).toBe(2);
      expect(again?.deliveries.map((x) => x.eventId)).toEqual(lost!.deliveries.map((x) => x.eventId));
    });
  });
}
