/**
 * Parked deliveries (pending with no due time, while their endpoint is not
 * active), found through their own partial index (migration 0017) and made
 * due a chunk at a time once the endpoint is active again.
 */
import type { Db, Statement } from './db.ts';

/** Parked deliveries made due per statement: small enough to keep the write lock briefly. */
export const UNPARK_CHUNK = 1000;

const PARKED = `FROM deliveries INDEXED BY deliveries_parked
  WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at IS NULL`;

export class SqliteParked {
  private readonly oldestAt: Statement;
  private readonly unparkChunk: Statement;
  private readonly unparkAll: Statement;

  constructor(db: Db) {
    this.oldestAt = db.prepare(`SELECT created_at ${PARKED} ORDER BY id LIMIT 1`).pluck();
    // Due from when they were created: they sort before anything that arrived
    // while they were parked, so a resumed backlog goes out oldest first.
    this.unparkChunk = db.prepare(
      `UPDATE deliveries SET next_attempt_at = created_at, updated_at = @now
       WHERE rowid IN (SELECT rowid ${PARKED} ORDER BY id LIMIT @limit)`,
    );
    this.unparkAll = db.prepare(`UPDATE deliveries SET next_attempt_at = created_at, updated_at = @now
       WHERE rowid IN (SELECT rowid ${PARKED})`);
  }

  /** When the endpoint's oldest parked delivery was created; null when none is parked. */
  oldest(endpointId: string): number | null {
    return (this.oldestAt.get({ endpointId }) as number | undefined) ?? null;
  }

  /** Makes the endpoint's oldest parked deliveries due (at most `limit`, or all); returns how many. */
  unpark(endpointId: string, now: number, limit: number | 'all'): number {
    if (limit === 'all') return this.unparkAll.run({ endpointId, now }).changes;
    return this.unparkChunk.run({ endpointId, now, limit }).changes;
  }
}
