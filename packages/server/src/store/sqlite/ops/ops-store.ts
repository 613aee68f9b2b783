/**
 * The SQLite adapter of the operations port, built on the store's own
 * connection. Statements are prepared on first use: the tables exist only
 * after migrate().
 */
import type { PageRequest } from '../../../domain/types.ts';
import type { Job, JobChunk, OpsStore, QueueStats, StatsQuery } from '../../ops-port.ts';
import { type Db, type Statement, StatementCache } from '../db.ts';
import { SqliteJobs } from './jobs.ts';
import { SqliteRetention } from './retention.ts';
import { SqliteRollup } from './rollup.ts';

interface Parts {
  rollup: SqliteRollup;
  retention: SqliteRetention;
  jobs: SqliteJobs;
  pending: Statement;
  inFlight: Statement;
  oldestDue: Statement;
  endpoints: Statement;
}

export class SqliteOps implements OpsStore {
  private built: Parts | null = null;

  constructor(private readonly db: Db) {}

  private get p(): Parts {
    if (this.built) return this.built;
    const db = this.db;
    this.built = {
      rollup: new SqliteRollup(db, new StatementCache(db)),
      retention: new SqliteRetention(db),
      jobs: new SqliteJobs(db),
      // Each count walks its partial index (deliveries_due, deliveries_in_flight), not the table.
      // The repeated status test lets SQLite use the partial index of unfinished rows.
      pending: db
        .prepare(
          `SELECT count(*) FROM deliveries INDEXED BY deliveries_unfinished
           WHERE status IN ('pending', 'in_flight') AND status = 'pending'`,
        )
        .pluck(),
      inFlight: db.prepare("SELECT count(*) FROM deliveries WHERE status = 'in_flight'").pluck(),
      oldestDue: db
        .prepare(
          // Exact: the earliest due time of each endpoint with a queue head, from its own index.
          `SELECT min((SELECT min(next_attempt_at) FROM deliveries INDEXED BY deliveries_endpoint_due
             WHERE endpoint_id = q.endpoint_id AND status = 'pending' AND next_attempt_at IS NOT NULL))
           FROM endpoint_queue AS q`,
        )
        .pluck(),
      endpoints: db.prepare('SELECT status, count(*) AS n FROM endpoints GROUP BY status'),
    };
    return this.built;
  }

  /** The rollup, for the completion transaction to record attempts in. */
  get rollup(): SqliteRollup {
    return this.p.rollup;
  }

  async stats(query: StatsQuery) {
    return this.p.rollup.stats(query);
  }

  async queueStats(): Promise<QueueStats> {
    const endpoints = { active: 0, pending_verification: 0, paused: 0, disabled: 0 };
    for (const row of this.p.endpoints.all() as { status: keyof typeof endpoints; n: number }[]) {
      endpoints[row.status] = row.n;
    }
    return {
      pending: this.p.pending.get() as number,
      inFlight: this.p.inFlight.get() as number,
      oldestDueAt: (this.p.oldestDue.get() as number | undefined) ?? null,
      endpoints,
    };
  }

  async purgeAttempts(cutoff: number, limit: number) {
    return this.p.retention.purgeAttempts(cutoff, limit);
  }
  async purgeEvents(cutoff: number, limit: number) {
    return this.p.retention.purgeEvents(cutoff, limit);
  }
  async purgeOpsRows(cutoff: number, limit: number) {
    return this.p.retention.purgeOpsRows(cutoff, limit);
  }

  async createJob(job: Job) {
    return this.p.jobs.createJob(job);
  }
  async getJob(tenantId: string, id: string) {
    return this.p.jobs.getJob(tenantId, id);
  }
  async listJobs(tenantId: string, page: PageRequest) {
    return this.p.jobs.listJobs(tenantId, page);
  }
  async claimJob(owner: string, leaseExpiresAt: number, now: number) {
    return this.p.jobs.claimJob(owner, leaseExpiresAt, now);
  }
  async applyJobChunk(chunk: JobChunk) {
    return this.p.jobs.applyJobChunk(chunk);
  }
  async finishJob(...args: Parameters<OpsStore['finishJob']>) {
    return this.p.jobs.finishJob(...args);
  }
  async listFailedDeliveries(query: Parameters<OpsStore['listFailedDeliveries']>[0]) {
    return this.p.jobs.listFailedDeliveries(query);
  }
}
