/**
 * The stats rollup on PostgreSQL. `record` runs inside the completion
 * transaction: the batch is summed in JS and written with ONE upsert of all
 * its (endpoint, minute) rows, in key order so concurrent workers lock rows
 * in the same order and never deadlock.
 */
import type pg from 'pg';
import type { Attempt } from '../../../domain/types.ts';
import type { StatsQuery, StatsRow } from '../../ops-port.ts';
import { aggregateAttempts, ROLLUP_COUNTERS, ROLLUP_MAXIMA, statsRowFrom } from '../../ops-rollup.ts';
import { Params, type Queryable } from '../db.ts';

const VALUES = [...ROLLUP_COUNTERS, ...ROLLUP_MAXIMA];
const COLUMNS = ['tenant_id', 'endpoint_id', 'minute', ...VALUES];
const TYPES = ['text', 'text', 'int8', ...VALUES.map(() => 'int8')];

const UPSERT_SQL = `
  INSERT INTO attempt_stats (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET
    ${ROLLUP_COUNTERS.map((c) => `${c} = attempt_stats.${c} + excluded.${c}`).join(', ')},
    ${ROLLUP_MAXIMA.map((c) => `${c} = GREATEST(attempt_stats.${c}, excluded.${c})`).join(', ')}`;

/** Adds attempts to the rollup; pass the client of the transaction that stores them. */
export async function recordRollup(
  client: Queryable | pg.PoolClient,
  attempts: readonly Attempt[],
): Promise<void> {
  const deltas = aggregateAttempts(attempts);
  if (deltas.length === 0) return;
  const columns: unknown[][] = COLUMNS.map(() => []);
  for (const d of deltas) {
    columns[0]!.push(d.tenantId);
    columns[1]!.push(d.endpointId);
    columns[2]!.push(d.minute);
    for (let i = 0; i < VALUES.length; i++) columns[i + 3]!.push(d[VALUES[i]!]);
  }
  await client.query(UPSERT_SQL, columns);
}

export async function statsOf(db: Queryable, q: StatsQuery): Promise<StatsRow[]> {
  const p = new Params();
  const bucket = p.add(q.bucketMs);
  const where = [
    `tenant_id = ${p.add(q.tenantId)}`,
    `minute >= ${p.add(q.since)}`,
    `minute < ${p.add(q.until)}`,
  ];
  if (q.endpointId !== undefined) where.push(`endpoint_id = ${p.add(q.endpointId)}`);
  const sums = [
    ...ROLLUP_COUNTERS.map((c) => `sum(${c}) AS ${c}`),
    ...ROLLUP_MAXIMA.map((c) => `max(${c}) AS ${c}`),
  ].join(', ');
  const { rows } = await db.query(
    `SELECT minute - minute % ${bucket}::int8 AS start, ${sums}
     FROM attempt_stats WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
    p.values,
  );
  return rows.map((r) => statsRowFrom(r as Record<string, unknown>));
}
