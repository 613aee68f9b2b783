/**
 * The PostgreSQL adapter of the operations port, on the store's pool. The
 * rollup is written by `recordRollup` inside the completion transaction
 * (PgQueue.completeDeliveries); this class reads it.
 */
import type { EndpointStatus, PageRequest } from '../../../domain/types.ts';
import type { Job, JobChunk, OpsStore, QueueStats, StatsQuery } from '../../ops-port.ts';
import type { Pool } from '../db.ts';
import { PgJobs } from './jobs.ts';
import { statsOf } from './rollup.ts';

export class PgOps implements OpsStore {
  private readonly jobs: PgJobs;

  constructor(private readonly pool: Pool) {
    this.jobs = new PgJobs(pool);
  }

  stats(query: StatsQuery) {
    return statsOf(this.pool, query);
  }

  async queueStats(): Promise<QueueStats> {
    // Each count walks its partial index (deliveries_due, deliveries_in_flight), not the table.
    const { rows } = await this.pool.query<{ pending: number; in_flight: number; oldest: number | null }>(
      `SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending') AS pending,
              (SELECT count(*) FROM deliveries WHERE status = 'in_flight') AS in_flight,
              (SELECT min(next_attempt_at) FROM deliveries WHERE status = 'pending') AS oldest`,
    );
    const endpoints: Record<EndpointStatus, number> = {
      active: 0,
      pending_verification: 0,
      paused: 0,
      disabled: 0,
    };
    const byStatus = await this.pool.query<{ status: EndpointStatus; n: number }>(
      'SELECT status, count(*) AS n FROM endpoints GROUP BY status',
    );
    for (const r of byStatus.rows) endpoints[r.status] = r.n;
    const q = rows[0]!;
    return { pending: q.pending, inFlight: q.in_flight, oldestDueAt: q.oldest, endpoints };
  }

  // Retention: each batch is one short statement (its own transaction); rows
  // are picked by ctid so the delete touches exactly the batch it selected.
  async purgeAttempts(cutoff: number, limit: number): Promise<number> {
    const res = await this.pool.query(
      `DELETE FROM attempts WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM attempts WHERE created_at < $1 LIMIT $2))`,
      [cutoff, limit],
    );
    return res.rowCount ?? 0;
  }

  async purgeEvents(cutoff: number, limit: number): Promise<number> {
    // FOR UPDATE of the events makes a concurrent replay (which inserts deliveries
    // for them) wait or be waited for; open work is never purged, however old.
    const res = await this.pool.query(
      `WITH old AS (
         SELECT e.id FROM events AS e
         WHERE e.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM deliveries AS d
                           WHERE d.event_id = e.id AND d.status IN ('pending', 'in_flight'))
         ORDER BY e.created_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM deliveries WHERE event_id IN (SELECT id FROM old)
                  AND status NOT IN ('pending', 'in_flight'))
       DELETE FROM events WHERE id IN (SELECT id FROM old)`,
      [cutoff, limit],
    );
    return res.rowCount ?? 0;
  }

  async purgeOpsRows(cutoff: number, limit: number): Promise<number> {
    const stats = await this.pool.query(
      `DELETE FROM attempt_stats WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM attempt_stats WHERE minute < $1 LIMIT $2))`,
      [cutoff, limit],
    );
    const jobs = await this.pool.query(
      `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE created_at < $1
         AND status IN ('succeeded', 'failed') LIMIT $2)`,
      [cutoff, limit],
    );
    // Finished batches whose deliveries are gone (purged with their events).
    const batches = await this.pool.query(
      `DELETE FROM batches WHERE id IN (SELECT b.id FROM batches AS b
         WHERE b.completed_at IS NOT NULL AND b.completed_at < $1
           AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.batch_id = b.id) LIMIT $2)`,
      [cutoff, limit],
    );
    return (stats.rowCount ?? 0) + (jobs.rowCount ?? 0) + (batches.rowCount ?? 0);
  }

  createJob(job: Job) {
    return this.jobs.createJob(job);
  }
  getJob(tenantId: string, id: string) {
    return this.jobs.getJob(tenantId, id);
  }
  listJobs(tenantId: string, page: PageRequest) {
    return this.jobs.listJobs(tenantId, page);
  }
  claimJob(owner: string, leaseExpiresAt: number, now: number) {
    return this.jobs.claimJob(owner, leaseExpiresAt, now);
  }
  applyJobChunk(chunk: JobChunk) {
    return this.jobs.applyJobChunk(chunk);
  }
  finishJob(...args: Parameters<OpsStore['finishJob']>) {
    return this.jobs.finishJob(...args);
  }
  listFailedDeliveries(query: Parameters<OpsStore['listFailedDeliveries']>[0]) {
    return this.jobs.listFailedDeliveries(query);
  }
}
