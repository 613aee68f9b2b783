/**
 * Recovery jobs on SQLite: the jobs table, the claim, and chunks applied in
 * one transaction together with the cursor they advance (compare-and-set on
 * the cursor, guarded by the lease), so no chunk is ever applied twice.
 */
import { mergeReports, parseReport } from '../../../domain/retry-report.ts';
import type { Page, PageRequest } from '../../../domain/types.ts';
import { toPage } from '../../cursor.ts';
import { JOB_PAGE, keyPageSql } from '../../list-sql.ts';
import type { FailedDeliveriesQuery, Job, JobChunk, JobResult } from '../../ops-port.ts';
import { type JobRow, jobFromRow } from '../../rows.ts';
import { OrderedParams } from '../../sql-params.ts';
import { type Db, type Statement, StatementCache } from '../db.ts';

export class SqliteJobs {
  private readonly insert: Statement;
  private readonly byTenantAndId: Statement;
  private readonly claimable: Statement;
  private readonly take: Statement;
  private readonly advance: Statement;
  private readonly retry: Statement;
  private readonly createDelivery: Statement;
  private readonly finish: Statement;
  private readonly failedOf: Statement;
  private readonly jobTenant: Statement;
  private readonly reportOf: Statement;
  private readonly saveReport: Statement;
  private readonly pages: StatementCache;
  private readonly claimTx: ReturnType<Db['transaction']>;
  private readonly chunkTx: ReturnType<Db['transaction']>;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO jobs (id, tenant_id, kind, params, status, processed, affected, cursor, error,
         lease_owner, lease_expires_at, created_at, updated_at, started_at, finished_at)
       VALUES (@id, @tenantId, @kind, @params, @status, @processed, @affected, @cursor, @error,
         @leaseOwner, @leaseExpiresAt, @createdAt, @updatedAt, @startedAt, @finishedAt)`,
    );
    this.jobTenant = db.prepare('SELECT tenant_id FROM jobs WHERE id = ?').pluck();
    this.reportOf = db.prepare('SELECT report FROM jobs WHERE id = ?').pluck();
    this.saveReport = db.prepare('UPDATE jobs SET report = ? WHERE id = ?');
    this.pages = new StatementCache(db);
    this.byTenantAndId = db.prepare('SELECT * FROM jobs WHERE id = ? AND tenant_id = ?');
    this.claimable = db.prepare(
      `SELECT * FROM jobs WHERE status IN ('queued', 'running')
         AND (status = 'queued' OR lease_expires_at <= ?) ORDER BY created_at, id LIMIT 1`,
    );
    this.take = db.prepare(
      `UPDATE jobs SET status = 'running', lease_owner = ?, lease_expires_at = ?,
         started_at = coalesce(started_at, ?), updated_at = ? WHERE id = ? RETURNING *`,
    );
    this.advance = db.prepare(
      `UPDATE jobs SET cursor = @nextCursor, processed = processed + @processed, affected = affected + @affected,
         lease_expires_at = @leaseExpiresAt, updated_at = @now
       WHERE id = @jobId AND status = 'running' AND lease_owner = @owner AND cursor IS @cursor`,
    );
    // Only failed deliveries of the job's tenant; a spent attempt budget does
    // not block it (a human asked), and a parked endpoint keeps it parked.
    this.retry = db.prepare(
      `UPDATE deliveries SET status = 'pending',
         next_attempt_at = CASE WHEN (SELECT status FROM endpoints WHERE id = deliveries.endpoint_id) = 'active'
           THEN @now ELSE NULL END,
         next_trigger = 'manual', completed_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
         updated_at = @now
       WHERE id IN (SELECT value FROM json_each(@ids)) AND tenant_id = @tenantId AND status = 'failed'`,
    );
    this.createDelivery = db.prepare(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
         next_trigger, created_at, updated_at)
       SELECT @id, @tenantId, @endpointId, @eventId, 'pending', 0, @nextAttemptAt, 'manual', @now, @now
       WHERE EXISTS (SELECT 1 FROM events WHERE id = @eventId AND tenant_id = @tenantId)`,
    );
    this.finish = db.prepare(
      `UPDATE jobs SET status = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL,
         finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    );
    this.failedOf = db
      .prepare(
        `SELECT id FROM deliveries INDEXED BY deliveries_failed
         WHERE endpoint_id = @endpointId AND status = 'failed' AND tenant_id = @tenantId
           AND created_at >= @since AND created_at <= @until AND id > @after ORDER BY id LIMIT @limit`,
      )
      .pluck();

    this.claimTx = db.transaction((owner: string, leaseExpiresAt: number, now: number) => {
      const row = this.claimable.get(now) as JobRow | undefined;
      if (!row) return null;
      return jobFromRow(this.take.get(owner, leaseExpiresAt, now, now, row.id) as JobRow);
    });
    this.chunkTx = db.transaction((c: JobChunk) => {
      const job = this.jobTenant.get(c.jobId) as string | undefined;
      if (job === undefined) return false;
      let affected = 0;
      if (c.retry && c.retry.length > 0) {
        affected += this.retry.run({ ids: JSON.stringify(c.retry), tenantId: job, now: c.now }).changes;
      }
      for (const d of c.create?.deliveries ?? []) {
        affected += this.createDelivery.run({
          id: d.id,
          tenantId: job,
          endpointId: c.create!.endpointId,
          eventId: d.eventId,
          nextAttemptAt: d.nextAttemptAt,
          now: c.now,
        }).changes;
      }
      if (c.report) {
        const earlier = parseReport(this.reportOf.get(c.jobId) as string | null);
        this.saveReport.run(JSON.stringify(mergeReports(earlier, c.report)), c.jobId);
      }
      const moved = this.advance.run({
        jobId: c.jobId,
        owner: c.owner,
        cursor: c.cursor,
        nextCursor: c.nextCursor,
        processed: c.processed,
        affected,
        leaseExpiresAt: c.leaseExpiresAt,
        now: c.now,
      }).changes;
      // Lease or cursor moved on: undo the chunk's writes by failing the transaction.
      if (moved === 0) throw new LostJob();
      return true;
    });
  }

  createJob(job: Job): Job {
    this.insert.run({
      ...job,
      params: JSON.stringify(job.params),
      processed: job.progress.processed,
      affected: job.progress.affected,
    });
    return job;
  }

  getJob(tenantId: string, id: string): Job | null {
    const row = this.byTenantAndId.get(id, tenantId) as JobRow | undefined;
    return row ? jobFromRow(row) : null;
  }

  listJobs(tenantId: string, page: PageRequest): Page<Job> {
    const p = new OrderedParams();
    const { sql, limit } = keyPageSql(p, { ...JOB_PAGE, value: tenantId }, page);
    return toPage(this.pages.get(sql).all(...p.values) as JobRow[], limit, jobFromRow, (r) => r.id);
  }

  claimJob(owner: string, leaseExpiresAt: number, now: number): Job | null {
    return this.claimTx.immediate(owner, leaseExpiresAt, now) as Job | null;
  }

  applyJobChunk(chunk: JobChunk): boolean {
    try {
      return this.chunkTx.immediate(chunk) as boolean;
    } catch (err) {
      if (err instanceof LostJob) return false;
      throw err;
    }
  }

  finishJob(id: string, owner: string, result: JobResult, now: number): boolean {
    return this.finish.run(result.status, result.error, now, now, id, owner).changes > 0;
  }

  listFailedDeliveries(q: FailedDeliveriesQuery): string[] {
    return this.failedOf.all({ ...q, after: q.after ?? '' }) as string[];
  }
}

class LostJob extends Error {}
