/** /metrics: the series, fed by the instrumented store and read from the database at scrape time. */
import { describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.ts';
import { instrumentStore } from '../../src/ops/instrument.ts';
import { PrometheusMetrics } from '../../src/ops/metrics.ts';
import { opsOf } from '../../src/store/ops-port.ts';
import { ADMIN_KEY, startApi } from '../api/harness.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { completion } from '../store/contract-fixtures.ts';

/** The value of one sample line, e.g. `herald_deliveries_total{outcome="failed"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('exposes delivery counters, the attempt histogram, ingest, backlog and endpoint gauges', async () => {
    const h = await startApi();
    try {
      await h.tenant('acme');
      const now = h.clock.now;
      const metrics = new PrometheusMetrics(opsOf(h.store), { now: () => h.clock.now });
      const store = instrumentStore(h.store, metrics);
      const ep = await store.createEndpoint(makeEndpoint('acme', 'https://example.com/a', {}, now));
      await store.createEndpoint(makeEndpoint('acme', 'https://example.com/b', { status: 'paused' }, now));
      for (let i = 0; i < 4; i++) await insertEvent(store, 'acme', [ep.id], now);
      const claimed = await store.claimDeliveries({ owner: 'w', limit: 2, leaseMs: 1000, now });
      await store.completeDeliveries(
        [
          completion(claimed[0]!, 'w', { status: 'succeeded' }, { now }),
          completion(claimed[1]!, 'w', { status: 'pending', nextAttemptAt: now + 5000 }, { now }),
        ],
        now,
      );
      h.clock.now = now + 90_000;

      const app = await buildApi({ store, clock: () => h.clock.now, metrics, metricsPublic: false });
      try {
        expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
        const res = await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/plain');
        const text = res.body;
        expect(sample(text, 'herald_deliveries_total{outcome="succeeded"}')).toBe(1);
        expect(sample(text, 'herald_deliveries_total{outcome="retrying"}')).toBe(1);
        expect(sample(text, 'herald_deliveries_total{outcome="failed"}')).toBe(0);
        expect(sample(text, 'herald_attempt_duration_seconds_count')).toBe(2);
        expect(sample(text, 'herald_events_accepted_total')).toBe(4);
        expect(sample(text, 'herald_backlog_deliveries')).toBe(3);
        expect(sample(text, 'herald_in_flight_deliveries')).toBe(0);
        expect(sample(text, 'herald_oldest_pending_age_seconds')).toBe(90);
        expect(sample(text, 'herald_endpoints{status="active"}')).toBe(1);
        expect(sample(text, 'herald_endpoints{status="paused"}')).toBe(1);
        // No series is labelled by endpoint or tenant.
        expect(text).not.toContain(ep.id);
        expect(text).not.toContain('acme');
      } finally {
        await app.close();
      }

      const open = await buildApi({ store, clock: () => h.clock.now, metrics, metricsPublic: true });
      try {
        expect((await open.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
      } finally {
        await open.close();
      }
    } finally {
      await h.close();
    }
  });
});

describe('counting completions', () => {
  it('counts a batch as one attempt that settles every delivery it carried', async () => {
    const { countBatches, countCompletions } = await import('../../src/ops/instrument.ts');
    const seen: string[] = [];
    const fake = {
      deliveryCompleted: (outcome: string, count = 1) => seen.push(`${outcome}×${count}`),
      attemptFinished: (ms: number) => seen.push(`attempt ${ms}ms`),
      eventsAccepted: () => {},
    };
    const attempt = { durationMs: 12 } as Parameters<typeof countBatches>[1][number]['attempt'];
    countBatches(fake, [
      { batchId: 'b1', owner: 'w', attempt, eventIds: ['e1', 'e2', 'e3'], outcome: { status: 'succeeded' } },
    ]);
    countCompletions(fake, [{ deliveryId: 'd1', owner: 'w', attempt, outcome: { status: 'failed' } }]);
    expect(seen).toEqual(['attempt 12ms', 'succeeded×3', 'attempt 12ms', 'failed×1']);
  });
  it('counts deliveries dropped by overflow protection', async () => {
    const h = await startApi();
    try {
      await h.tenant('acme');
      const now = h.clock.now;
      const metrics = new PrometheusMetrics(opsOf(h.store), { now: () => h.clock.now });
      const store = instrumentStore(h.store, metrics);
      // Paused, so nothing is sent: drop-oldest keeps the newest 3 pending of the 5.
      const ep = await store.createEndpoint(
        makeEndpoint(
          'acme',
          'https://example.com/a',
          { status: 'paused', overflow: 'drop-oldest', maxBacklog: 3 },
          now,
        ),
      );
      for (let i = 0; i < 5; i++) await insertEvent(store, 'acme', [ep.id], now + i);
      const text = (await metrics.scrape()).body;
      expect(sample(text, 'herald_deliveries_total{outcome="dropped"}')).toBe(2);
    } finally {
      await h.close();
    }
  });
});
