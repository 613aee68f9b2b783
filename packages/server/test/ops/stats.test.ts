/** Stats from the rollup: buckets, status classes and percentiles from known attempts, through the API. */
import { describe, expect, it } from 'vitest';
import { BUCKETS, defaultBucket, percentile } from '../../src/ops/stats.ts';
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, latencyBucket } from '../../src/store/ops-port.ts';
import type { Store } from '../../src/store/port.ts';
import { API_STORE_KINDS, startApiOn } from '../api/store-kinds.ts';
import { makeEndpoint } from '../helpers/fixtures.ts';
import { attemptFixture } from '../store/contract-fixtures.ts';

const MINUTE = 60_000;

/**
 * Records one attempt per duration for `endpointId` at `at`, answered `status`.
 * Written as completions whose lease is gone: the attempts (and so the rollup)
 * are stored, no delivery moves, and no claim or flow control is involved.
 */
async function attempts(
  store: Store,
  endpointId: string,
  at: number,
  durations: number[],
  status: number | null,
) {
  await store.completeDeliveries(
    durations.map((durationMs, i) => ({
      deliveryId: `dlv_gone_${at}_${i}`,
      owner: 'w',
      attempt: attemptFixture({
        tenantId: 'acme',
        endpointId,
        responseStatus: status,
        durationMs,
        createdAt: at,
      }),
      outcome: status !== null && status < 300 ? { status: 'succeeded' } : { status: 'failed' },
    })),
    at,
  );
}

describe('percentiles from the latency histogram', () => {
  it('estimates within the bucket the true value falls in', () => {
    const histogram = new Array<number>(LATENCY_BUCKETS).fill(0);
    for (let ms = 1; ms <= 1000; ms++) histogram[latencyBucket(ms)]! += 1;
    for (const [q, truth] of [
      [0.5, 500],
      [0.95, 950],
      [0.99, 990],
    ] as const) {
      const estimate = percentile(histogram, q)!;
      const i = latencyBucket(truth);
      expect(estimate).toBeGreaterThanOrEqual(i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!);
      expect(estimate).toBeLessThanOrEqual(LATENCY_BOUNDS_MS[i]!);
    }
    expect(percentile(new Array<number>(LATENCY_BUCKETS).fill(0), 0.5)).toBeNull();
  });

  it('chooses a bucket that keeps any range to a readable number of points', () => {
    expect(defaultBucket(60 * MINUTE)).toBe('1m');
    expect(defaultBucket(24 * 60 * MINUTE)).toBe('5m');
    expect(defaultBucket(7 * 24 * 60 * MINUTE)).toBe('1h');
    expect(defaultBucket(90 * 24 * 60 * MINUTE)).toBe('1d');
    expect(BUCKETS['1h']).toBe(60 * MINUTE);
  });
});

describe.each(API_STORE_KINDS)('GET …/stats on $name', (kind) => {
  it.skipIf(kind.skip)(
    'answers per bucket: outcomes, status classes and latency percentiles; tests excluded; tenants apart',
    async () => {
      const h = await startApiOn(kind);
      try {
        await h.tenant('acme');
        await h.tenant('other');
        const t = Math.floor(h.clock.now / (60 * MINUTE)) * 60 * MINUTE;
        const ep = await h.store.createEndpoint(
          makeEndpoint('acme', 'https://example.com/a', { maxInFlight: 1000 }, t),
        );
        const ep2 = await h.store.createEndpoint(makeEndpoint('acme', 'https://example.com/b', {}, t));
        // Minute 0: 90 fast successes and 10 slow 503s; minute 7: 4 timeouts.
        await attempts(
          h.store,
          ep.id,
          t,
          Array.from({ length: 90 }, () => 40),
          200,
        );
        await attempts(
          h.store,
          ep.id,
          t + 30_000,
          Array.from({ length: 10 }, () => 2500),
          503,
        );
        await attempts(h.store, ep.id, t + 7 * MINUTE, [5000, 5000, 5000, 5000], null);
        await attempts(h.store, ep2.id, t, [10], 404);
        // Minute 8: timeouts just past a 5,000 ms timeout, in the (5,000, 7,000] bucket.
        await attempts(h.store, ep.id, t + 8 * MINUTE, [5020, 5030, 5040], null);
        await attempts(h.store, ep.id, t + 8 * MINUTE + 1000, [5010], null);
        // Test sends go to the log but never into stats.
        await h.store.insertAttempt(
          attemptFixture({ tenantId: 'acme', endpointId: ep.id, trigger: 'test', createdAt: t }),
        );

        const url = `/v1/tenants/acme/endpoints/${ep.id}/stats?since=${t}&until=${t + 10 * MINUTE}`;
        const res = await h.call('GET', url);
        expect(res.status).toBe(200);
        expect(res.body.bucket).toBe('1m');
        expect(res.body.buckets).toHaveLength(10);
        const first = res.body.buckets[0];
        expect(first).toMatchObject({
          start: new Date(t).toISOString(),
          attempts: 100,
          succeeded: 90,
          failed: 10,
          dropped: 0,
        });
        expect(first.statusClasses).toEqual({ '2xx': 90, '3xx': 0, '4xx': 0, '5xx': 10, none: 0 });
        expect(first.latencyMs.p50).toBeGreaterThan(30);
        expect(first.latencyMs.p50).toBeLessThanOrEqual(50);
        expect(first.latencyMs.p95).toBeGreaterThan(2000);
        expect(first.latencyMs.p95).toBeLessThanOrEqual(3000);
        expect(first.latencyMs.mean).toBe(286);
        expect(res.body.buckets[1]).toMatchObject({ attempts: 0, latencyMs: { p50: null } });
        expect(res.body.buckets[7].statusClasses.none).toBe(4);
        // Interpolated inside (5,000, 7,000] the p99 would be ~6,950 ms; it is capped by the slowest seen.
        expect(res.body.buckets[8].latencyMs.p99).toBeGreaterThan(5000);
        expect(res.body.buckets[8].latencyMs.p99).toBeLessThanOrEqual(5040);
        expect(res.body.totals.latencyMs.p99).toBeLessThanOrEqual(5040);
        expect(res.body.totals).toMatchObject({ attempts: 108, succeeded: 90, failed: 18 });

        const hourly = await h.call(
          'GET',
          `/v1/tenants/acme/stats?since=${t}&until=${t + 60 * MINUTE}&bucket=1h`,
        );
        expect(hourly.body.buckets).toHaveLength(1);
        expect(hourly.body.buckets[0]).toMatchObject({ attempts: 109, statusClasses: { '4xx': 1 } });

        expect(
          (await h.call('GET', `/v1/tenants/other/stats?since=${t}&until=${t + 60 * MINUTE}`)).body.totals
            .attempts,
        ).toBe(0);
        expect((await h.call('GET', `/v1/tenants/other/endpoints/${ep.id}/stats`)).status).toBe(404);
        const tooMany = await h.call('GET', `/v1/tenants/acme/stats?since=0&until=${t}&bucket=1m`);
        expect(tooMany.status).toBe(422);
        expect(tooMany.body.error.message).toContain('wider bucket');
      } finally {
        await h.close();
      }
    },
  );
});
