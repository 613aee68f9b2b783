/**
 * The stats rollup's columns and the in-memory aggregation both adapters
 * share: a batch of attempts becomes one delta per (tenant, endpoint,
 * minute), so the hot path writes one row per endpoint and minute, not one
 * per attempt.
 */
import type { Attempt } from '../domain/types.ts';
import { LATENCY_BUCKETS, latencyBucket, type StatsRow, statusClass } from './ops-port.ts';

const MINUTE_MS = 60_000;

/** h00…h29: the histogram columns of `attempt_stats`. */
export const HISTOGRAM_COLUMNS: readonly string[] = Array.from(
  { length: LATENCY_BUCKETS },
  (_, i) => `h${String(i).padStart(2, '0')}`,
);

/** Every counter column of `attempt_stats`, in a fixed order. */
export const ROLLUP_COUNTERS: readonly string[] = [
  'attempts',
  'succeeded',
  'failed',
  'dropped',
  'c2xx',
  'c3xx',
  'c4xx',
  'c5xx',
  'cnone',
  'latency_sum_ms',
  ...HISTOGRAM_COLUMNS,
];

/**
 * The slowest attempt of each row: merged with max(), not summed. A
 * percentile estimated inside a histogram bucket is capped by it, so an
 * endpoint whose attempts all time out just past its 5,000 ms timeout shows
 * p99 ≈ 5,0xx ms, not the bucket's upper bound (7,000 ms). Rows written
 * before it existed hold NULL: no cap.
 */
export const ROLLUP_MAXIMA: readonly string[] = ['latency_max_ms'];

/** One rollup row's increments, keyed by column name. */
export type RollupDelta = { tenantId: string; endpointId: string; minute: number } & Record<string, number>;

export const minuteOf = (time: number): number => Math.floor(time / MINUTE_MS) * MINUTE_MS;

export function emptyDelta(tenantId: string, endpointId: string, minute: number): RollupDelta {
  const delta = { tenantId, endpointId, minute } as RollupDelta;
  for (const column of ROLLUP_COUNTERS) delta[column] = 0;
  for (const column of ROLLUP_MAXIMA) delta[column] = 0;
  return delta;
}

/**
 * Sums attempts into one delta per (tenant, endpoint, minute), sorted by key
 * so concurrent writers lock rows in the same order. Test sends, attempts
 * without an endpoint and deliveries a transform cancelled are left out.
 */
export function aggregateAttempts(attempts: readonly Attempt[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const a of attempts) {
    // A cancelled delivery sent nothing: no attempt of the endpoint's to count.
    if (a.trigger === 'test' || a.endpointId === null || a.error?.kind === 'cancelled') continue;
    const minute = minuteOf(a.createdAt);
    const key = `${a.tenantId}\n${a.endpointId}\n${String(minute).padStart(15, '0')}`;
    let delta = byKey.get(key);
    if (!delta) {
      delta = emptyDelta(a.tenantId, a.endpointId, minute);
      byKey.set(key, delta);
    }
    delta.attempts! += 1;
    if (a.succeeded) delta.succeeded! += 1;
    else delta.failed! += 1;
    // A broker's acknowledgement (no HTTP status) counts with the 2xx answers; its failures as `none`.
    delta[`c${statusClass(a.responseStatus ?? (a.succeeded ? 200 : null))}`]! += 1;
    delta.latency_sum_ms! += Math.max(0, Math.round(a.durationMs));
    delta.latency_max_ms = Math.max(delta.latency_max_ms!, Math.round(a.durationMs));
    delta[HISTOGRAM_COLUMNS[latencyBucket(a.durationMs)]!]! += 1;
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

/** A summed row (column name → number, plus `start`) as the port's StatsRow. */
export function statsRowFrom(r: Record<string, unknown>): StatsRow {
  const n = (column: string) => Number(r[column] ?? 0);
  return {
    start: n('start'),
    attempts: n('attempts'),
    succeeded: n('succeeded'),
    failed: n('failed'),
    dropped: n('dropped'),
    statusClasses: {
      '2xx': n('c2xx'),
      '3xx': n('c3xx'),
      '4xx': n('c4xx'),
      '5xx': n('c5xx'),
      none: n('cnone'),
    },
    latency: HISTOGRAM_COLUMNS.map(n),
    latencySumMs: n('latency_sum_ms'),
    latencyMaxMs: r.latency_max_ms === null || r.latency_max_ms === undefined ? null : n('latency_max_ms'),
  };
}
