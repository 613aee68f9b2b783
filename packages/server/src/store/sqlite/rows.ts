/**
 * How SQLite writes attempt rows.
 * The row types and their mapping to entities are shared: ../rows.ts.
 */
import type { Attempt } from '../../domain/types.ts';
import { ATTEMPT_COLUMN_NAMES, attemptValues } from '../rows.ts';

export * from '../rows.ts';

/** Positional parameters in the column order of `INSERT_ATTEMPT_SQL`. */
export const attemptParams = (a: Attempt): unknown[] => attemptValues(a, (b) => (b ? 1 : 0));

export const INSERT_ATTEMPT_SQL = `INSERT INTO attempts (${ATTEMPT_COLUMN_NAMES.join(', ')})
  VALUES (${ATTEMPT_COLUMN_NAMES.map(() => '?').join(', ')})`;
