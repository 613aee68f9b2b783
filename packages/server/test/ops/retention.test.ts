/**
 * Retention under load: old finished work is purged in small batches while
 * new events are accepted and delivered to a real receiver; pending and
 * in-flight work is never touched, however old.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { RetentionLoop } from '../../src/ops/retention.ts';
import { opsOf } from '../../src/store/ops-port.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const DAY = 86_400_000;
const logger = pino({ level: 'silent' });

describe('retention', () => {
  it('purges only what is old, in batches, while deliveries continue', async () => {
    const { store, cleanup } = await tempSqliteStore();
    const receiver = await startReceiver();
    const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
    let offset = -40 * DAY;
    const clock = { now: () => Date.now() + offset };
    try {
      const t = clock.now();
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: t, updatedAt: t });
      const live = await store.createEndpoint(
        makeEndpoint('t1', `${receiver.url}/hook`, { maxInFlight: 500 }, t),
      );
      const paused = await store.createEndpoint(
        makeEndpoint('t1', `${receiver.url}/paused`, { status: 'paused' }, t),
      );
      const dispatcher = new Dispatcher(
        { store, sender: http, clock, random: () => 0.5, userAgent: 'Herald/test', logger },
        { pollIntervalMs: 20 },
      );

      // 40 days ago: 300 events delivered, 3 parked on a paused endpoint, 1 stuck in flight.
      const old = [];
      for (let i = 0; i < 300; i++) old.push(await insertEvent(store, 't1', [live.id], clock.now()));
      while ((await store.countDeliveries({ status: 'pending' })) > 0) await dispatcher.runOnce();
      const parked = [];
      for (let i = 0; i < 3; i++) parked.push(await insertEvent(store, 't1', [paused.id], clock.now()));
      const stuck = await insertEvent(store, 't1', [live.id], clock.now());
      // A lease long enough that no sweep takes it back during the test.
      await store.claimDeliveries({ owner: 'busy', limit: 10, leaseMs: 100 * DAY, now: clock.now() });
      expect(receiver.requests).toHaveLength(300);

      // Today: events keep arriving and being delivered while the purge runs.
      offset = 0;
      dispatcher.start();
      const retention = new RetentionLoop(
        { ops: opsOf(store), clock, logger, pause: () => new Promise((r) => setImmediate(r)) },
        { retentionDays: 30, batchSize: 50 },
      );
      const fresh: string[] = [];
      const ingest = (async () => {
        for (let i = 0; i < 200; i++) {
          fresh.push((await insertEvent(store, 't1', [live.id], clock.now())).event.id);
          store.notifyWork();
          if (i % 20 === 0) await new Promise((r) => setImmediate(r));
        }
      })();
      const [counts] = await Promise.all([retention.runOnce(), ingest]);
      await receiver.waitFor(500, 20_000);
      await dispatcher.stop();

      expect(counts).toMatchObject({ attempts: 300, events: 300 });
      for (const e of old.slice(0, 20)) {
        expect(await store.getEvent('t1', e.event.id)).toBeNull();
        expect(await store.getDelivery(e.deliveryIds[0]!)).toBeNull();
      }
      for (const e of parked) {
        expect(await store.getDelivery(e.deliveryIds[0]!)).toMatchObject({
          status: 'pending',
          nextAttemptAt: null,
        });
      }
      expect((await store.getDelivery(stuck.deliveryIds[0]!))?.status).toBe('in_flight');
      expect(await store.getEvent('t1', stuck.event.id)).not.toBeNull();

      const delivered = new Set(receiver.requests.slice(300).map((r) => r.headers['webhook-id']));
      for (const id of fresh) expect(delivered.has(id)).toBe(true);
      const log = await store.summarizeAttempts('t1', {});
      expect(log.total).toBe(200);
      // A second run finds nothing more to do.
      expect(await retention.runOnce()).toEqual({ attempts: 0, events: 0, opsRows: 0 });
    } finally {
      await receiver.close();
      await http.close();
      await cleanup();
    }
  }, 30_000);

  it('purges on its own every interval once started, and stops cleanly', async () => {
    const { store, cleanup } = await tempSqliteStore();
    try {
      const now = Date.now();
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: now, updatedAt: now });
      const ep = await store.createEndpoint(makeEndpoint('t1', 'https://example.com/h', {}, now));
      const e = await insertEvent(store, 't1', [ep.id], now - 31 * DAY);
      // Deleting the endpoint cancels the delivery: finished, so the old event may go.
      await store.deleteEndpoint('t1', ep.id, now);
      const retention = new RetentionLoop(
        { ops: opsOf(store), clock: { now: () => now }, logger },
        { retentionDays: 30, intervalMs: 10 },
      );
      retention.start();
      for (let i = 0; i < 200 && (await store.getEvent('t1', e.event.id)) !== null; i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      await retention.stop();
      expect(await store.getEvent('t1', e.event.id)).toBeNull();
    } finally {
      await cleanup();
    }
  });
});
