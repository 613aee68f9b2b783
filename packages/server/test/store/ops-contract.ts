/**
 * The OpsStore contract: stats rollup, queue gauges, retention and jobs,
 * written only against the Store and OpsStore ports so every adapter runs it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTEMPT_TRIGGERS } from '../../src/domain/log-filters.ts';
import { newJob } from '../../src/ops/jobs.ts';
import { LATENCY_BUCKETS, latencyBucket, type OpsStore, opsOf } from '../../src/store/ops-port.ts';
import type { Store } from '../../src/store/port.ts';
import { completion, endpointFixture, storeEvent, T0, tenantFixture } from './contract-fixtures.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

export function runOpsContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
) {
  describe(`OpsStore contract: ${name}`, () => {
    let current: { store: Store; cleanup(): Promise<void> } | null = null;
    beforeEach(async () => {
      current = await makeStore();
    });
    afterEach(async () => {
      await current?.cleanup();
      current = null;
    });
    const s = (): Store => current!.store;
    const ops = (): OpsStore => opsOf(s());

    const setup = async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const a = await s().createEndpoint(endpointFixture('acme'));
      const b = await s().createEndpoint(endpointFixture('acme'));
      const o = await s().createEndpoint(endpointFixture('other'));
      return { a, b, o };
    };

    /** Stores an event per endpoint, claims everything due and completes it with `outcome` at `now`. */
    const deliver = async (
      endpointIds: string[],
      now: number,
      outcome: 'succeeded' | 'failed' | 'retry',
      opts: { status?: number | null; durationMs?: number; trigger?: 'test' } = {},
    ) => {
      const stored = [];
      for (const id of endpointIds) stored.push(await storeEvent(s(), tenantOf.get(id)!, [id], { now }));
      const claimed = await s().claimDeliveries({ owner: 'w1', limit: 1000, leaseMs: 30_000, now });
      const results = claimed.map((c) => {
        const r = completion(
          c,
          'w1',
          outcome === 'retry' ? { status: 'pending', nextAttemptAt: now + 1000 * DAY } : { status: outcome },
          { now, ...(opts.status !== undefined ? { responseStatus: opts.status } : {}) },
        );
        if (opts.durationMs !== undefined) r.attempt.durationMs = opts.durationMs;
        if (opts.trigger) r.attempt.trigger = opts.trigger;
        return r;
      });
      await s().completeDeliveries(results, now);
      return stored;
    };
    const tenantOf = new Map<string, string>();
    const setupMapped = async () => {
      const eps = await setup();
      tenantOf.set(eps.a.id, 'acme');
      tenantOf.set(eps.b.id, 'acme');
      tenantOf.set(eps.o.id, 'other');
      return eps;
    };

    describe('stats rollup', () => {
      it('counts attempts per minute by outcome, status class and latency, per endpoint and tenant', async () => {
        const { a, b, o } = await setupMapped();
        await deliver([a.id, a.id, b.id], T0, 'succeeded', { status: 200, durationMs: 40 });
        await deliver([a.id], T0 + 5_000, 'failed', { status: 503, durationMs: 900 });
        await deliver([a.id], T0 + MINUTE, 'retry', { status: null, durationMs: 5000 });
        await deliver([a.id], T0 + MINUTE, 'failed', { status: 404, durationMs: 3 });
        await deliver([o.id], T0, 'succeeded', { status: 200 });
        await deliver([a.id], T0, 'succeeded', { status: 200, trigger: 'test' });

        const minute = Math.floor(T0 / MINUTE) * MINUTE;
        const rows = await ops().stats({
          tenantId: 'acme',
          endpointId: a.id,
          since: minute,
          until: minute + 10 * MINUTE,
          bucketMs: MINUTE,
        });
        expect(rows.map((r) => r.start)).toEqual([minute, minute + MINUTE]);
        expect(rows[0]).toMatchObject({ attempts: 3, succeeded: 2, failed: 1, dropped: 0 });
        expect(rows[0]!.statusClasses).toEqual({ '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 1, none: 0 });
        expect(rows[0]!.latency).toHaveLength(LATENCY_BUCKETS);
        expect(rows[0]!.latency[latencyBucket(40)]).toBe(2);
        expect(rows[0]!.latency[latencyBucket(900)]).toBe(1);
        expect(rows[0]!.latencySumMs).toBe(980);
        expect(rows[1]!.statusClasses).toEqual({ '2xx': 0, '3xx': 0, '4xx': 1, '5xx': 0, none: 1 });

        const hour = Math.floor(T0 / (60 * MINUTE)) * 60 * MINUTE;
        const tenantWide = await ops().stats({
          tenantId: 'acme',
          since: hour,
          until: hour + 60 * MINUTE,
          bucketMs: 60 * MINUTE,
        });
        expect(tenantWide).toHaveLength(1);
        expect(tenantWide[0]).toMatchObject({ attempts: 6, succeeded: 3, failed: 3 });
        const other = await ops().stats({
          tenantId: 'other',
          since: minute,
          until: minute + MINUTE,
          bucketMs: MINUTE,
        });
        expect(other[0]).toMatchObject({ attempts: 1, succeeded: 1 });
      });
    });

    describe('queue gauges', () => {
      it('counts pending and in-flight deliveries, the earliest due time and endpoints by status', async () => {
        const { a } = await setupMapped();
        await s().updateEndpoint('acme', a.id, { status: 'paused' }, T0);
        const live = await s().createEndpoint(endpointFixture('acme'));
        await storeEvent(s(), 'acme', [live.id], { now: T0 + 10 });
        await storeEvent(s(), 'acme', [live.id], { now: T0 + 20 });
        await storeEvent(s(), 'acme', [a.id], { now: T0, due: null });
        await s().claimDeliveries({ owner: 'w1', limit: 1, leaseMs: 30_000, now: T0 + 100 });
        const q = await ops().queueStats();
        expect(q).toMatchObject({ pending: 2, inFlight: 1, oldestDueAt: T0 + 20 });
        expect(q.endpoints).toEqual({ active: 3, paused: 1, pending_verification: 0, disabled: 0 });
      });
    });

    describe('retention', () => {
      it('purges old attempts, and old events whose deliveries are all finished, never open work', async () => {
        const { a, b } = await setupMapped();
        await s().updateEndpoint('acme', b.id, { status: 'paused' }, T0);
        const old = T0;
        const now = T0 + 40 * DAY;
        const cutoff = now - 30 * DAY;
        const done = await deliver([a.id, a.id, a.id], old, 'succeeded');
        const failed = await deliver([a.id], old, 'failed');
        const retrying = await deliver([a.id], old, 'retry');
        const parked = await storeEvent(s(), 'acme', [b.id], { now: old, due: null });
        const fresh = await deliver([a.id], now, 'succeeded');

        let attempts = 0;
        for (let n = -1; n !== 0; ) {
          n = await ops().purgeAttempts(cutoff, 2);
          expect(n).toBeLessThanOrEqual(2);
          attempts += n;
        }
        expect(attempts).toBe(5);
        let events = 0;
        for (let n = -1; n !== 0; ) {
          n = await ops().purgeEvents(cutoff, 2);
          events += n;
        }
        expect(events).toBe(4);

        for (const e of [...done, ...failed]) {
          expect(await s().getEvent('acme', e.eventId)).toBeNull();
          expect(await s().getDelivery(e.deliveryIds[0]!)).toBeNull();
        }
        for (const e of [...retrying, parked]) {
          expect(await s().getEvent('acme', e.eventId)).not.toBeNull();
          expect((await s().getDelivery(e.deliveryIds[0]!))?.status).toBe('pending');
        }
        expect(await s().getDelivery(fresh[0]!.deliveryIds[0]!)).toMatchObject({ status: 'succeeded' });
        const log = await s().listAttempts('acme', { triggers: ATTEMPT_TRIGGERS }, { limit: 50 });
        expect(log.data.map((x) => x.createdAt)).toEqual([now]);
      });
    });

    describe('retention of batches', () => {
      it('purges finished batches once their deliveries are gone, and keeps open ones', async () => {
        await s().createTenant(tenantFixture('acme'));
        const ep = await s().createEndpoint({
          ...endpointFixture('acme'),
          batch: { maxSize: 2, maxWaitMs: 0 },
        });
        const old = T0;
        const now = T0 + 40 * DAY;
        const cutoff = now - 30 * DAY;
        const stored = [];
        for (let i = 0; i < 4; i++) stored.push(await storeEvent(s(), 'acme', [ep.id], { now: old }));
        const batches = await s().claimBatches({ owner: 'w1', limit: 10, leaseMs: 30_000, now: old });
        expect(batches.map((b) => b.deliveries.length)).toEqual([2, 2]);
        const [done, open] = batches;
        const first = done!.deliveries[0]!;
        const base = completion(first, 'w1', { status: 'succeeded' }, { now: old }).attempt;
        await s().completeBatches(
          [
            {
              batchId: done!.id,
              owner: 'w1',
              attempt: { ...base, deliveryId: null },
              eventIds: done!.deliveries.map((d) => d.eventId),
              outcome: { status: 'succeeded' },
            },
          ],
          old,
        );
        // Only the old rollup minute goes: the finished batch's deliveries still exist, so it stays.
        expect(await ops().purgeOpsRows(cutoff, 100)).toBe(1);
        while ((await ops().purgeEvents(cutoff, 100)) > 0) {}
        expect(await ops().purgeOpsRows(cutoff, 100)).toBe(1);
        // The batch still in flight and its deliveries are untouched.
        expect(await s().getDelivery(open!.deliveries[0]!.id)).toMatchObject({ status: 'in_flight' });
        expect(await ops().purgeOpsRows(cutoff, 100)).toBe(0);
        expect(stored).toHaveLength(4);
      });
    });

    describe('jobs', () => {
      it('creates, lists, claims with a lease and reclaims a job whose lease ended', async () => {
        const { a } = await setupMapped();
        const j1 = await ops().createJob(
          newJob('acme', 'recover', { endpointId: a.id, since: 0, until: T0 }, T0),
        );
        const j2 = await ops().createJob(
          newJob('acme', 'replay', { endpointId: a.id, since: 0, until: T0 }, T0 + 1),
        );
        expect(await ops().getJob('other', j1.id)).toBeNull();
        expect((await ops().listJobs('acme', { limit: 10 })).data.map((j) => j.id)).toEqual([j2.id, j1.id]);

        const c1 = await ops().claimJob('r1', T0 + 1000, T0 + 10);
        expect(c1).toMatchObject({ id: j1.id, status: 'running', leaseOwner: 'r1', startedAt: T0 + 10 });
        expect((await ops().claimJob('r2', T0 + 1000, T0 + 20))?.id).toBe(j2.id);
        expect(await ops().claimJob('r3', T0 + 1000, T0 + 30)).toBeNull();
        const again = await ops().claimJob('r3', T0 + 3000, T0 + 1000);
        expect(again).toMatchObject({ id: j1.id, leaseOwner: 'r3' });
        expect(await ops().finishJob(j1.id, 'r1', { status: 'succeeded', error: null }, T0 + 1001)).toBe(
          false,
        );
        expect(await ops().finishJob(j1.id, 'r3', { status: 'failed', error: 'boom' }, T0 + 1001)).toBe(true);
        expect(await ops().getJob('acme', j1.id)).toMatchObject({
          status: 'failed',
          error: 'boom',
          finishedAt: T0 + 1001,
        });
      });

      it('applies a chunk only for the lease holder at the expected cursor, once', async () => {
        const { a, o } = await setupMapped();
        const failed = await deliver([a.id, a.id], T0, 'failed');
        const ok = await deliver([a.id], T0, 'succeeded');
        const foreign = await deliver([o.id], T0, 'failed');
        const job = await ops().createJob(
          newJob('acme', 'recover', { endpointId: a.id, since: 0, until: T0 }, T0),
        );
        await ops().claimJob('r1', T0 + 60_000, T0);
        const ids = await ops().listFailedDeliveries({
          tenantId: 'acme',
          endpointId: a.id,
          since: T0,
          until: T0,
          after: null,
          limit: 10,
        });
        expect(ids).toEqual(failed.map((f) => f.deliveryIds[0]).sort());
        const chunk = {
          jobId: job.id,
          owner: 'r1',
          cursor: null,
          nextCursor: ids.at(-1)!,
          processed: ids.length,
          retry: [...ids, ok[0]!.deliveryIds[0]!, foreign[0]!.deliveryIds[0]!],
          leaseExpiresAt: T0 + 120_000,
          now: T0 + 5,
        };
        expect(await ops().applyJobChunk({ ...chunk, owner: 'r2' })).toBe(false);
        expect((await s().getDelivery(ids[0]!))?.status).toBe('failed');
        expect(await ops().applyJobChunk(chunk)).toBe(true);
        expect(await ops().applyJobChunk(chunk)).toBe(false);
        for (const id of ids) {
          expect(await s().getDelivery(id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5 });
        }
        expect((await s().getDelivery(ok[0]!.deliveryIds[0]!))?.status).toBe('succeeded');
        expect((await s().getDelivery(foreign[0]!.deliveryIds[0]!))?.status).toBe('failed');
        expect(await ops().getJob('acme', job.id)).toMatchObject({
          cursor: ids.at(-1),
          progress: { processed: 2, affected: 2 },
          leaseExpiresAt: T0 + 120_000,
        });
        const claimed = await s().claimDeliveries({ owner: 'w', limit: 10, leaseMs: 1000, now: T0 + 5 });
        expect(claimed.map((c) => c.trigger)).toEqual(['manual', 'manual']);
      });

      it('creates replay deliveries for events of its own tenant only', async () => {
        const { a } = await setupMapped();
        const mine = await storeEvent(s(), 'acme', [], { now: T0 });
        const theirs = await storeEvent(s(), 'other', [], { now: T0 });
        const job = await ops().createJob(
          newJob('acme', 'replay', { endpointId: a.id, since: 0, until: T0 }, T0),
        );
        await ops().claimJob('r1', T0 + 60_000, T0);
        const applied = await ops().applyJobChunk({
          jobId: job.id,
          owner: 'r1',
          cursor: null,
          nextCursor: '~done',
          processed: 2,
          create: {
            endpointId: a.id,
            deliveries: [
              { id: `dlv_${mine.eventId.slice(4)}`, eventId: mine.eventId, nextAttemptAt: T0 },
              { id: `dlv_${theirs.eventId.slice(4)}`, eventId: theirs.eventId, nextAttemptAt: T0 },
            ],
          },
          leaseExpiresAt: T0 + 60_000,
          now: T0,
        });
        expect(applied).toBe(true);
        expect(await s().listDeliveriesForEvent('acme', mine.eventId)).toHaveLength(1);
        expect(await s().listDeliveriesForEvent('other', theirs.eventId)).toHaveLength(0);
        expect((await ops().getJob('acme', job.id))?.progress).toEqual({ processed: 2, affected: 1 });
      });
    });
  });
}
