/**
 * Honest retries on both stores: every retry (one event, bulk retry, recover,
 * replay) says how many it queued and why the rest wait, grouped, each with
 * the action that unblocks it; `dryRun: true` answers the same counts and
 * changes nothing.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/ops/jobs.ts';
import { opsOf } from '../../src/store/ops-port.ts';
import { insertEvent } from '../helpers/fixtures.ts';
import {
  COOLDOWN_MS,
  claim,
  createEndpoint,
  failDeliveries,
  lowThresholds,
  SECOND,
} from './health-fixtures.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const logger = pino({ level: 'silent' });

describe.each(API_STORE_KINDS)('retry reasons on $name', (kind) => {
  let h: StoreApi;
  let eid: string;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    lowThresholds(h.store);
    await h.tenant('acme');
    eid = await createEndpoint(h, 'acme', { name: 'Orders', retry: { maxAttempts: 10, schedule: [1] } });
  });
  afterEach(async () => h?.close());

  const runJob = () =>
    new JobRunner({
      store: h.store,
      ops: opsOf(h.store),
      clock: { now: () => h.clock.now },
      logger,
    }).runOnce();
  const jobCount = async () => (await opsOf(h.store).listJobs('acme', { limit: 100 })).data.length;

  it.skipIf(kind.skip)(
    'a retry behind an open circuit says it waits, until when, and how to send it now',
    async () => {
      const t0 = h.clock.now;
      const { events } = await failDeliveries(h, 'acme', eid, 2);
      const healthy = await createEndpoint(h, 'acme', { name: 'Healthy' });
      const both = await insertEvent(h.store, 'acme', [eid, healthy], h.clock.now);

      const one = await h.call('POST', `/v1/tenants/acme/events/${events[0]!.eventId}/retry`, {
        endpointId: eid,
      });
      expect(one.status).toBe(202);
      expect(one.body).toEqual({
        deliveries: [events[0]!.deliveryId],
        queued: 0,
        notQueued: [
          {
            reason: 'circuit_open',
            count: 1,
            endpointId: eid,
            endpointName: 'Orders',
            action: 'reset_circuit',
            nextProbeAt: iso(t0 + COOLDOWN_MS),
            nextAttemptAt: null,
            message: `1 delivery waits behind the open circuit of endpoint 'Orders' (the next probe is at ${iso(t0 + COOLDOWN_MS)}); reset the circuit to send it now`,
          },
        ],
      });
      const all = await h.call('POST', `/v1/tenants/acme/events/${both.event.id}/retry`, {});
      expect(all.body).toMatchObject({
        queued: 1,
        notQueued: [{ reason: 'circuit_open', endpointId: eid, count: 1 }],
      });
      expect(all.body.deliveries).toHaveLength(2);
    },
  );

  it.skipIf(kind.skip)('names a paused, disabled or unverified endpoint, each with its action', async () => {
    const paused = await createEndpoint(h, 'acme', { name: 'Paused', status: 'paused' });
    const disabled = await createEndpoint(h, 'acme', { name: 'Gone' });
    await h.store.updateEndpoint(
      'acme',
      disabled,
      { status: 'disabled', disabledReason: '410' },
      h.clock.now,
    );
    const unverified = await createEndpoint(h, 'acme', { name: 'New', requireVerification: true });
    expect((await h.call('GET', `/v1/tenants/acme/endpoints/${unverified}`)).body.status).toBe(
      'pending_verification',
    );
    const { event } = await insertEvent(h.store, 'acme', [paused, disabled, unverified], h.clock.now);

    const res = await h.call('POST', `/v1/tenants/acme/events/${event.id}/retry`, {});
    expect(res.body.queued).toBe(0);
    const byReason = Object.fromEntries(
      res.body.notQueued.map((g: { reason: string; action: string; endpointId: string }) => [g.reason, g]),
    );
    expect(byReason).toMatchObject({
      endpoint_paused: { endpointId: paused, action: 'resume_endpoint', count: 1 },
      endpoint_disabled: { endpointId: disabled, action: 'enable_endpoint', count: 1 },
      endpoint_pending_verification: { endpointId: unverified, action: 'verify_endpoint', count: 1 },
    });
  });

  it.skipIf(kind.skip)(
    'a delivery in flight is named, and a retry of just that one is still a 409',
    async () => {
      const other = await createEndpoint(h, 'acme', { name: 'Other' });
      const { event } = await insertEvent(h.store, 'acme', [eid, other], h.clock.now);
      const claimed = await claim(h);
      expect(claimed).toHaveLength(2);
      await h.store.releaseDeliveries('w', [claimed.find((c) => c.endpointId === other)!.id], h.clock.now);
      const res = await h.call('POST', `/v1/tenants/acme/events/${event.id}/retry`, {});
      expect(res.body).toMatchObject({
        queued: 1,
        notQueued: [{ reason: 'in_flight', endpointId: eid, action: null }],
      });
      expectError(
        await h.call('POST', `/v1/tenants/acme/events/${event.id}/retry`, { endpointId: eid }),
        409,
        'conflict',
      );
    },
  );

  it.skipIf(kind.skip)(
    'bulk retry: dryRun previews the count and reason, the job reports the same',
    async () => {
      const { events } = await failDeliveries(h, 'acme', eid, 2, null);
      const preview = await h.call('POST', '/v1/tenants/acme/attempts/retry', {
        status: 'failed',
        dryRun: true,
      });
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({
        dryRun: true,
        kind: 'retry',
        processed: 2,
        affected: 2,
        complete: true,
        queued: 0,
        notQueued: [{ reason: 'circuit_open', count: 2, endpointId: eid, action: 'reset_circuit' }],
      });
      expect(await jobCount()).toBe(0);
      for (const e of events) expect((await h.store.getDelivery(e.deliveryId))?.status).toBe('failed');

      const started = await h.call('POST', '/v1/tenants/acme/attempts/retry', { status: 'failed' });
      expect(started.status).toBe(202);
      expect(started.body.job.report).toBeNull();
      await runJob();
      const job = await h.call('GET', `/v1/tenants/acme/jobs/${started.body.job.id}`);
      expect(job.body).toMatchObject({
        status: 'succeeded',
        progress: { processed: 2, affected: 2 },
        report: { queued: 0, notQueued: [{ reason: 'circuit_open', count: 2, action: 'reset_circuit' }] },
      });
      // Reset, and the retried deliveries go.
      h.clock.now += SECOND;
      expect(await claim(h)).toEqual([]);
      expect((await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/circuit/reset`)).body.due).toBe(2);
      expect((await claim(h)).map((c) => c.trigger)).toEqual(['manual', 'manual']);
    },
  );

  it.skipIf(kind.skip)('bulk retry of deliveries already pending says so instead of "0 queued"', async () => {
    // The tester's case: every delivery is pending behind the open circuit, none failed.
    await failDeliveries(h, 'acme', eid, 2);
    const res = await h.call('POST', '/v1/tenants/acme/attempts/retry', {});
    await runJob();
    const job = (await h.call('GET', `/v1/tenants/acme/jobs/${res.body.job.id}`)).body;
    expect(job.progress).toEqual({ processed: 2, affected: 0 });
    expect(job.report).toMatchObject({ queued: 0, notQueued: [{ reason: 'circuit_open', count: 2 }] });

    // Closed again, a pending retry waiting for its backoff is "already pending", with the action retry now.
    await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/circuit/reset`);
    const later = await createEndpoint(h, 'acme', { name: 'Later' });
    const { events } = await failDeliveries(h, 'acme', later, 1, 3600 * SECOND);
    const preview = await h.call('POST', '/v1/tenants/acme/attempts/retry', {
      endpointId: later,
      dryRun: true,
    });
    expect(preview.body).toMatchObject({
      affected: 0,
      queued: 0,
      notQueued: [
        {
          reason: 'already_pending',
          endpointId: later,
          action: 'retry_now',
          nextAttemptAt: iso(h.clock.now + 3600 * SECOND),
        },
      ],
    });
    expect(events).toHaveLength(1);
  });

  it.skipIf(kind.skip)('recover and replay preview with dryRun and report on their jobs', async () => {
    const since = iso(h.clock.now - SECOND);
    await failDeliveries(h, 'acme', eid, 3, null);
    const recover = await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/recover`, {
      since,
      dryRun: true,
    });
    expect(recover.body).toMatchObject({
      kind: 'recover',
      processed: 3,
      affected: 3,
      notQueued: [{ count: 3, reason: 'circuit_open' }],
    });
    await h.call('PATCH', `/v1/tenants/acme/endpoints/${eid}`, { status: 'paused' });
    const replay = await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/replay`, { since, dryRun: true });
    expect(replay.body).toMatchObject({ kind: 'replay', processed: 3, affected: 3, queued: 0 });
    expect(replay.body.notQueued[0]).toMatchObject({ reason: 'endpoint_paused', count: 3 });
    expect(await jobCount()).toBe(0);

    const job = await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/replay`, { since });
    await runJob();
    const done = (await h.call('GET', `/v1/tenants/acme/jobs/${job.body.job.id}`)).body;
    expect(done.report.notQueued[0]).toMatchObject({
      reason: 'endpoint_paused',
      count: 3,
      action: 'resume_endpoint',
    });
  });

  it.skipIf(kind.skip)('refuses a dryRun that is not a boolean, storing nothing', async () => {
    for (const body of [{ dryRun: 'yes' }, { dryRun: 1 }]) {
      const res = await h.call('POST', '/v1/tenants/acme/attempts/retry', body);
      expect([400, 422]).toContain(res.status);
      expect(typeof res.body.error.code).toBe('string');
    }
    const recover = await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/recover`, {
      since: 0,
      dryRun: null,
    });
    expect([400, 422]).toContain(recover.status);
    expect(await jobCount()).toBe(0);
  });
});
