/**
 * The stats rollup: attempts counted per (tenant, endpoint, minute) with a
 * latency histogram. `record` runs inside the completion transaction (the
 * hot path), so a batch is summed in JS first and written with one UPSERT
 * per (endpoint, minute) it touches.
 */
import type { Attempt } from '../../../domain/types.ts';
import {
  LATENCY_BUCKETS,
  latencyBucket,
  type StatsQuery,
  type StatsRow,
  statusClass,
} from '../../ops-port.ts';
import type { Db, Statement, StatementCache } from '../db.ts';

const MINUTE_MS = 60_000;
const HISTOGRAM = Array.from({ length: LATENCY_BUCKETS }, (_, i) => `h${String(i).padStart(2, '0')}`);
const COUNTERS = [
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
  ...HISTOGRAM,
];

/** One rollup row's increments, keyed by column name. */
export type RollupDelta = { tenantId: string; endpointId: string; minute: number } & Record<string, number>;

export function emptyDelta(tenantId: string, endpointId: string, minute: number): RollupDelta {
  const delta = { tenantId, endpointId, minute } as RollupDelta;
  for (const column of COUNTERS) delta[column] = 0;
  return delta;
}

/** Sums attempts into one delta per (tenant, endpoint, minute); test sends and endpoint-less attempts are left out. */
export function aggregateAttempts(attempts: readonly Attempt[]): RollupDelta[] {
  const byKey = new Map<string, RollupDelta>();
  for (const a of attempts) {
    if (a.trigger === 'test' || a.endpointId === null) continue;
    const minute = Math.floor(a.createdAt / MINUTE_MS) * MINUTE_MS;
    const key = `${a.tenantId}\n${a.endpointId}\n${minute}`;
    let delta = byKey.get(key);
    if (!delta) {
      delta = emptyDelta(a.tenantId, a.endpointId, minute);
      byKey.set(key, delta);
    }
    delta.attempts! += 1;
    if (a.succeeded) delta.succeeded! += 1;
    else delta.failed! += 1;
    delta[`c${statusClass(a.responseStatus)}`]! += 1;
    delta.latency_sum_ms! += Math.max(0, Math.round(a.durationMs));
    delta[HISTOGRAM[latencyBucket(a.durationMs)]!]! += 1;
  }
  return [...byKey.values()];
}

export class SqliteRollup {
  private readonly upsert: Statement;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO attempt_stats (tenant_id, endpoint_id, minute, ${COUNTERS.join(', ')})
       VALUES (@tenantId, @endpointId, @minute, ${COUNTERS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET
         ${COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
  }

  /** Adds attempts to the rollup; call inside the transaction that stores them. */
  record(attempts: readonly Attempt[]): void {
    for (const delta of aggregateAttempts(attempts)) this.upsert.run(delta);
  }

  /** Counts deliveries dropped by overflow protection (no attempt is made for them). */
  recordDropped(tenantId: string, endpointId: string, at: number, count: number): void {
    const delta = emptyDelta(tenantId, endpointId, Math.floor(at / MINUTE_MS) * MINUTE_MS);
    delta.dropped = count;
    this.upsert.run(delta);
  }

  stats(q: StatsQuery): StatsRow[] {
    const where = ['tenant_id = @tenantId', 'minute >= @since', 'minute < @until'];
    if (q.endpointId !== undefined) where.push('endpoint_id = @endpointId');
    const sql = `SELECT minute - minute % @bucketMs AS start, ${COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(', ')}
       FROM attempt_stats WHERE ${where.join(' AND ')} GROUP BY start ORDER BY start`;
    const rows = this.cache.get(sql).all({
      tenantId: q.tenantId,
      since: q.since,
      until: q.until,
      bucketMs: q.bucketMs,
      ...(q.endpointId !== undefined ? { endpointId: q.endpointId } : {}),
    }) as Record<string, number>[];
    return rows.map(statsRowFrom);
  }
}

export function statsRowFrom(r: Record<string, number>): StatsRow {
  const n = (column: string) => Number(r[column] ?? 0);
  return {
    start: n('start'),
    attempts: n('attempts'),
    succeeded: n('succeeded'),
    failed: n('failed'),
    dropped: n('dropped'),
    statusClasses: { '2xx': n('c2xx'), '3xx': n('c3xx'), '4xx': n('c4xx'), '5xx': n('c5xx'), none: n('cnone') },
    latency: HISTOGRAM.map(n),
    latencySumMs: n('latency_sum_ms'),
  };
}

export const ROLLUP_COUNTERS: readonly string[] = COUNTERS;
