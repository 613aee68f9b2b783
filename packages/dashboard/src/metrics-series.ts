/**
 * Time series computed from attempts of the delivery log (Herald's API has
 * no stats endpoint yet): deliveries by outcome and latency percentiles per
 * time bucket. Pure, so it is easy to check.
 */

export interface AttemptPoint {
  createdAt: string;
  succeeded: boolean;
  durationMs: number;
  trigger: string;
}

export interface Bucket {
  start: number;
  succeeded: number;
  failed: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** A bucket width giving about 30–60 buckets over the range. */
export function bucketWidth(rangeMs: number): number {
  const steps = [60_000, 300_000, 900_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 86_400_000];
  return steps.find((s) => rangeMs / s <= 60) ?? 86_400_000;
}

/** Buckets from `since` to `until`; test sends are left out, as in the log's summary. */
export function buildSeries(attempts: AttemptPoint[], since: number, until: number, width: number): Bucket[] {
  const first = Math.floor(since / width) * width;
  const count = Math.max(1, Math.ceil((until - first) / width));
  const durations: number[][] = Array.from({ length: count }, () => []);
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * width,
    succeeded: 0,
    failed: 0,
    p50: null,
    p95: null,
    p99: null,
  }));
  for (const a of attempts) {
    if (a.trigger === 'test') continue;
    const t = Date.parse(a.createdAt);
    const i = Math.floor((t - first) / width);
    const bucket = buckets[i];
    if (!bucket) continue;
    if (a.succeeded) bucket.succeeded += 1;
    else bucket.failed += 1;
    durations[i]!.push(a.durationMs);
  }
  buckets.forEach((b, i) => {
    const sorted = durations[i]!.sort((x, y) => x - y);
    b.p50 = percentile(sorted, 50);
    b.p95 = percentile(sorted, 95);
    b.p99 = percentile(sorted, 99);
  });
  return buckets;
}
