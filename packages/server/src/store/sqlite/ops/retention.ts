/**
 * Retention deletes in small batches, each its own short transaction, so the
 * write lock is never held for long and delivery goes on in between. Old rows
 * are found oldest first through the created_at indexes of migration 0003.
 */
import type { Db, Statement } from '../db.ts';

export class SqliteRetention {
  private readonly oldAttempts: Statement;
  private readonly deleteAttempts: Statement;
  private readonly oldEvents: Statement;
  private readonly deleteDeliveries: Statement;
  private readonly deleteEvents: Statement;
  private readonly deleteStats: Statement;
  private readonly deleteJobs: Statement;
  private readonly deleteBatches: Statement;
  private readonly attemptsTx: (cutoff: number, limit: number) => number;
  private readonly eventsTx: ReturnType<Db['transaction']>;

  constructor(db: Db) {
    this.oldAttempts = db
      .prepare('SELECT id FROM attempts WHERE created_at < ? ORDER BY created_at LIMIT ?')
      .pluck();
    this.deleteAttempts = db.prepare('DELETE FROM attempts WHERE id IN (SELECT value FROM json_each(?))');
    // An event goes only when every delivery of it is finished: pending (parked
    // included) and in-flight work is never purged, however old.
    this.oldEvents = db
      .prepare(
        `SELECT e.id FROM events AS e
         WHERE e.created_at < ?
           AND NOT EXISTS (SELECT 1 FROM deliveries AS d
                           WHERE d.event_id = e.id AND d.status IN ('pending', 'in_flight'))
         ORDER BY e.created_at LIMIT ?`,
      )
      .pluck();
    this.deleteDeliveries = db.prepare(
      `DELETE FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))
         AND status NOT IN ('pending', 'in_flight')`,
    );
    this.deleteEvents = db.prepare(
      `DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.event_id = events.id)`,
    );
    this.deleteStats = db.prepare(
      `DELETE FROM attempt_stats WHERE (tenant_id, endpoint_id, minute) IN
         (SELECT tenant_id, endpoint_id, minute FROM attempt_stats WHERE minute < ? LIMIT ?)`,
    );
    // Finished batches whose deliveries are gone (purged with their events).
    this.deleteBatches = db.prepare(
      `DELETE FROM batches WHERE id IN (SELECT b.id FROM batches AS b
         WHERE b.completed_at IS NOT NULL AND b.completed_at < ?
           AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.batch_id = b.id) LIMIT ?)`,
    );
    this.deleteJobs = db.prepare(
      `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE created_at < ?
         AND status IN ('succeeded', 'failed') LIMIT ?)`,
    );
    this.attemptsTx = db.transaction((cutoff: number, limit: number) => {
      const ids = this.oldAttempts.all(cutoff, limit) as string[];
      return ids.length === 0 ? 0 : this.deleteAttempts.run(JSON.stringify(ids)).changes;
    });
    this.eventsTx = db.transaction((cutoff: number, limit: number) => {
      const ids = this.oldEvents.all(cutoff, limit) as string[];
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      this.deleteDeliveries.run(list);
      return this.deleteEvents.run(list).changes;
    });
  }

  purgeAttempts(cutoff: number, limit: number): number {
    return this.attemptsTx(cutoff, limit);
  }

  purgeEvents(cutoff: number, limit: number): number {
    // IMMEDIATE: the check (all deliveries finished) and the delete see the same rows.
    return this.eventsTx.immediate(cutoff, limit) as number;
  }

  purgeOpsRows(cutoff: number, limit: number): number {
    const stats = this.deleteStats.run(cutoff, limit).changes;
    const batches = this.deleteBatches.run(cutoff, limit).changes;
    return stats + batches + this.deleteJobs.run(cutoff, limit).changes;
  }
}
