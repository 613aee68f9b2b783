/**
 * How PostgreSQL writes attempt rows (many at once, through unnest).
 * The row types and their mapping to entities are shared: ../rows.ts.
 */
import type { Attempt } from '../../domain/types.ts';
import { endpointIdsOf } from '../completion-flow.ts';
import { ATTEMPT_COLUMN_NAMES, attemptValues } from '../rows.ts';
import { pushRow, type Queryable } from './db.ts';
import { lockEndpointStatuses } from './flow.ts';
import { recordRollup } from './ops/rollup.ts';

export * from '../rows.ts';

/** Column types of the attempts table for multi-row inserts via unnest: text unless named here. */
const NON_TEXT_TYPES: Partial<Record<(typeof ATTEMPT_COLUMN_NAMES)[number], string>> = {
  attempt_number: 'int',
  response_status: 'int',
  duration_ms: 'int',
  succeeded: 'bool',
  created_at: 'int8',
};
const ATTEMPT_TYPES = ATTEMPT_COLUMN_NAMES.map((c) => NON_TEXT_TYPES[c] ?? 'text');

/** Inserts many attempts in one statement: one array parameter per column, numbered from `$first`. */
export const insertAttemptsSql = (first = 1) => `INSERT INTO attempts (${ATTEMPT_COLUMN_NAMES.join(', ')})
  SELECT * FROM unnest(${ATTEMPT_TYPES.map((t, i) => `$${i + first}::${t}[]`).join(', ')})`;

export const INSERT_ATTEMPTS_SQL = insertAttemptsSql();

/** The column arrays for INSERT_ATTEMPTS_SQL. */
export function attemptColumns(attempts: Attempt[]): unknown[][] {
  const columns: unknown[][] = ATTEMPT_TYPES.map(() => []);
  for (const a of attempts)
    pushRow(
      columns,
      attemptValues(a, (b) => b),
    );
  return columns;
}

/**
 * A completion's first writes, in its transaction: its endpoints' locks (id
 * order, as the claims and the drop-oldest trim take them) with their status
 * before it, so its 410s are reported once, as transitions; then its attempts,
 * counted in the stats rollup. The rollup rows, flow rows and endpoint updates
 * it writes are then only written under those locks (no deadlock). A retried
 * write of the same results must not fail on attempts it already stored.
 */
export async function startCompletion(client: Queryable, results: readonly { attempt: Attempt }[]) {
  const ids = endpointIdsOf(results);
  const statuses = await lockEndpointStatuses(client, ids);
  const attempts = results.map((r) => r.attempt);
  await client.query(`${INSERT_ATTEMPTS_SQL} ON CONFLICT (id) DO NOTHING`, attemptColumns(attempts));
  await recordRollup(client, attempts);
  return { ids, statuses };
}
