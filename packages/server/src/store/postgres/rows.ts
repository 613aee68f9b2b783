/**
 * How PostgreSQL writes attempt rows (many at once, through unnest).
 * The row types and their mapping to entities are shared: ../rows.ts.
 */
import type { Attempt } from '../../domain/types.ts';
import { ATTEMPT_COLUMN_NAMES, attemptValues } from '../rows.ts';
import { pushRow } from './db.ts';

export * from '../rows.ts';

/** Column types of the attempts table, in ATTEMPT_COLUMN_NAMES order, for multi-row inserts via unnest. */
const ATTEMPT_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'text',
  'int',
  'text',
  'text',
  'bool',
  'int8',
];

/** Inserts many attempts in one statement: one array parameter per column. */
export const INSERT_ATTEMPTS_SQL = `INSERT INTO attempts (${ATTEMPT_COLUMN_NAMES.join(', ')})
  SELECT * FROM unnest(${ATTEMPT_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

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
