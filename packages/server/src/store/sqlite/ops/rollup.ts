/**
 * The stats rollup on SQLite. `record` runs inside the completion
 * transaction (the hot path): a batch is summed in JS first and written with
 * one UPSERT per (endpoint, minute) it touches.
 */
import type { Attempt } from '../../../domain/types.ts';
import type { StatsQuery, StatsRow } from '../../ops-port.ts';
import {
  aggregateAttempts,
  emptyDelta,
  minuteOf,
  ROLLUP_COUNTERS,
  ROLLUP_MAXIMA,
  statsRowFrom,
} from '../../ops-rollup.ts';
import type { Db, Statement, StatementCache } from '../db.ts';

const COLUMNS = [...ROLLUP_COUNTERS, ...ROLLUP_MAXIMA];

export class SqliteRollup {
  private readonly upsert: Statement;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO attempt_stats (tenant_id, endpoint_id, minute, ${COLUMNS.join(', ')})
       VALUES (@tenantId, @endpointId, @minute, ${COLUMNS.map((c) => `@${c}`).join(', ')})
       ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET
         ${ROLLUP_COUNTERS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
         ${ROLLUP_MAXIMA.map((c) => `${c} = max(coalesce(${c}, 0), excluded.${c})`).join(', ')}`,
    );
  }

  /** Adds attempts to the rollup; call inside the transaction that stores them. */
  record(attempts: readonly Attempt[]): void {
    for (const delta of aggregateAttempts(attempts)) this.upsert.run(delta);
  }

  /** Counts deliveries dropped by overflow protection (no attempt is made for them). */
  recordDropped(tenantId: string, endpointId: string, at: number, count: number): void {
    const delta = emptyDelta(tenantId, endpointId, minuteOf(at));
    delta.dropped = count;
    this.upsert.run(delta);
  }

  stats(q: StatsQuery): StatsRow[] {
    const where = ['tenant_id = @tenantId', 'minute >= @since', 'minute < @until'];
    if (q.endpointId !== undefined) where.push('endpoint_id = @endpointId');
    const sums = [
      ...ROLLUP_COUNTERS.map((c) => `sum(${c}) AS ${c}`),
      ...ROLLUP_MAXIMA.map((c) => `max(${c}) AS ${c}`),
    ].join(', ');
    const sql = `SELECT minute - minute % @bucketMs AS start, ${sums}
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
