/**
 * Statements that make many deliveries due at once (resuming a parked
 * backlog, retrying a waiting endpoint now, releasing what an open circuit
 * held back, a bulk retry) leave one wake-up per endpoint they touched, not
 * one per delivery: the per-row trigger is silenced for the statement with
 * herald.quiet_wakeups (migration 0016), and the statement's own rows are
 * folded into wake-ups in the same statement.
 */
import type { Queryable } from './db.ts';

/**
 * Runs `update`, an `UPDATE deliveries … RETURNING endpoint_id, status,
 * next_attempt_at`, inside the caller's transaction, and returns how many rows
 * it changed.
 */
export async function updateDue(client: Queryable, update: string, params: unknown[]): Promise<number> {
  await client.query("SELECT set_config('herald.quiet_wakeups', 'on', true)");
  try {
    const { rows } = await client.query<{ n: string }>(
      `WITH changed AS (${update}),
         woken AS (
           INSERT INTO endpoint_wakeups (endpoint_id, due_at)
           SELECT endpoint_id, min(next_attempt_at) FROM changed
           WHERE status = 'pending' AND next_attempt_at IS NOT NULL GROUP BY endpoint_id)
       SELECT count(*) AS n FROM changed`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.query("SELECT set_config('herald.quiet_wakeups', 'off', true)");
  }
}
