/**
 * Delivery stats from the rollup: the time buckets of a range, and latency
 * percentiles estimated from the rollup's fixed histogram (linear within a
 * bucket, so an estimate is as precise as the bucket it falls in).
 */
import { HeraldError } from '../domain/errors.ts';
import { LATENCY_BOUNDS_MS, type OpsStore, type StatsRow, type StatusClass } from '../store/ops-port.ts';

export const BUCKETS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type BucketName = keyof typeof BUCKETS;

/** More buckets than this in one answer is refused: ask for a wider bucket or a shorter range. */
export const MAX_BUCKETS = 1440;
export const DEFAULT_RANGE_MS = 24 * 3_600_000;

export interface StatsBucket {
  start: number;
  attempts: number;
  succeeded: number;
  failed: number;
  dropped: number;
  statusClasses: Record<StatusClass, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null };
}

export interface StatsResult {
  since: number;
  until: number;
  bucket: BucketName;
  buckets: StatsBucket[];
  totals: StatsBucket;
}

/** The finest bucket that keeps the range within MAX_BUCKETS (about 120+ points for any range). */
export function defaultBucket(rangeMs: number): BucketName {
  if (rangeMs <= 2 * 3_600_000) return '1m';
  if (rangeMs <= 24 * 3_600_000) return '5m';
  if (rangeMs <= 30 * 86_400_000) return '1h';
  return '1d';
}

/** Estimates the q-quantile (0..1) of a histogram in LATENCY_BOUNDS_MS buckets; null when empty. */
export function percentile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i]!;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      // The overflow bucket has no upper bound: report its lower one.
      const upper = LATENCY_BOUNDS_MS[i] ?? lower;
      return Math.round((lower + ((rank - seen) / count) * (upper - lower)) * 10) / 10;
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS.at(-1) ?? null;
}

function emptyRow(start: number, buckets: number): StatsRow {
  return {
    start,
    attempts: 0,
    succeeded: 0,
    failed: 0,
    dropped: 0,
    statusClasses: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, none: 0 },
    latency: new Array<number>(buckets).fill(0),
    latencySumMs: 0,
    latencyMaxMs: null,
  };
}

function addInto(into: StatsRow, row: StatsRow): void {
  into.attempts += row.attempts;
  into.succeeded += row.succeeded;
  into.failed += row.failed;
  into.dropped += row.dropped;
  for (const k of Object.keys(into.statusClasses) as StatusClass[])
    into.statusClasses[k] += row.statusClasses[k];
  row.latency.forEach((n, i) => {
    into.latency[i] = (into.latency[i] ?? 0) + n;
  });
  into.latencySumMs += row.latencySumMs;
  if (row.latencyMaxMs !== null) into.latencyMaxMs = Math.max(into.latencyMaxMs ?? 0, row.latencyMaxMs);
}

/** An estimate never above the slowest attempt actually seen (when known). */
function capped(estimate: number | null, max: number | null): number | null {
  return estimate === null || max === null ? estimate : Math.min(estimate, max);
}

function toBucket(row: StatsRow): StatsBucket {
  return {
    start: row.start,
    attempts: row.attempts,
    succeeded: row.succeeded,
    failed: row.failed,
    dropped: row.dropped,
    statusClasses: row.statusClasses,
    latencyMs: {
      p50: capped(percentile(row.latency, 0.5), row.latencyMaxMs),
      p95: capped(percentile(row.latency, 0.95), row.latencyMaxMs),
      p99: capped(percentile(row.latency, 0.99), row.latencyMaxMs),
      mean: row.attempts > 0 ? Math.round((row.latencySumMs / row.attempts) * 10) / 10 : null,
    },
  };
}

/**
 * Stats for [since, until): since is rounded down and until up to whole
 * buckets, and every bucket of the range is present (zeros where nothing happened).
 */
export async function queryStats(
  ops: OpsStore,
  q: { tenantId: string; endpointId?: string; since: number; until: number; bucket?: BucketName },
): Promise<StatsResult> {
  if (q.until <= q.since) {
    throw new HeraldError('validation_failed', 'query.until must be later than query.since');
  }
  const bucket = q.bucket ?? defaultBucket(q.until - q.since);
  const size = BUCKETS[bucket];
  const since = Math.floor(q.since / size) * size;
  const until = Math.ceil(q.until / size) * size;
  const count = (until - since) / size;
  if (count > MAX_BUCKETS) {
    throw new HeraldError(
      'validation_failed',
      `the range holds ${count} buckets of ${bucket}, more than ${MAX_BUCKETS}; use a wider bucket (1m, 5m, 1h, 1d) or a shorter range`,
    );
  }
  const rows = await ops.stats({
    tenantId: q.tenantId,
    ...(q.endpointId !== undefined ? { endpointId: q.endpointId } : {}),
    since,
    until,
    bucketMs: size,
  });
  const histogramSize = LATENCY_BOUNDS_MS.length + 1;
  const byStart = new Map(rows.map((r) => [r.start, r]));
  const totals = emptyRow(since, histogramSize);
  const buckets: StatsBucket[] = [];
  for (let start = since; start < until; start += size) {
    const row = byStart.get(start) ?? emptyRow(start, histogramSize);
    addInto(totals, row);
    buckets.push(toBucket(row));
  }
  return { since, until, bucket, buckets, totals: toBucket(totals) };
}
