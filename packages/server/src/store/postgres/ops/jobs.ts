/**
 * Recovery jobs on PostgreSQL: the claim skips jobs another runner is taking
 * (FOR UPDATE SKIP LOCKED), and a chunk is applied with the cursor it
 * advances in one transaction (compare-and-set on the cursor, guarded by the
 * lease), so no chunk is ever applied twice.
 */
import { mergeReports, parseReport } from '../../../domain/retry-report.ts';
import type { Page, PageRequest } from '../../../domain/types.ts';
import { toPage } from '../../cursor.ts';
import { JOB_PAGE, keyPageSql } from '../../list-sql.ts';
import type { FailedDeliveriesQuery, Job, JobChunk, JobResult } from '../../ops-port.ts';
import { type JobRow, jobFromRow } from '../../rows.ts';
import { updateDue } from '../bulk-due.ts';
import { Params, type Pool, withTx } from '../db.ts';

class LostJob extends Error {}

export class PgJobs {
  constructor(private readonly pool: Pool) {}

  async createJob(job: Job): Promise<Job> {
    await this.pool.query(
      `INSERT INTO jobs (id, tenant_id, kind, params, status, processed, affected, cursor, error,
         lease_owner, lease_expires_at, created_at, updated_at, started_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        job.id,
        job.tenantId,
        job.kind,
        JSON.stringify(job.params),
        job.status,
        job.progress.processed,
        job.progress.affected,
        job.cursor,
        job.error,
        job.leaseOwner,
        job.leaseExpiresAt,
        job.createdAt,
        job.updatedAt,
        job.startedAt,
        job.finishedAt,
      ],
    );
    return job;
  }

  async getJob(tenantId: string, id: string): Promise<Job | null> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM jobs WHERE id = $1 AND tenant_id = $2', [
      id,
      tenantId,
    ]);
    return rows[0] ? jobFromRow(rows[0]) : null;
  }

  async listJobs(tenantId: string, page: PageRequest): Promise<Page<Job>> {
    const p = new Params();
    const { sql, limit } = keyPageSql(p, { ...JOB_PAGE, value: tenantId }, page);
    const { rows } = await this.pool.query<JobRow>(sql, p.values);
    return toPage(rows, limit, jobFromRow, (r) => r.id);
  }

  async claimJob(owner: string, leaseExpiresAt: number, now: number): Promise<Job | null> {
    const { rows } = await this.pool.query<JobRow>(
      `UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2,
         started_at = coalesce(started_at, $3), updated_at = $3
       WHERE id = (SELECT id FROM jobs WHERE status IN ('queued', 'running')
                     AND (status = 'queued' OR lease_expires_at <= $3)
                   ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [owner, leaseExpiresAt, now],
    );
    return rows[0] ? jobFromRow(rows[0]) : null;
  }

  async applyJobChunk(c: JobChunk): Promise<boolean> {
    try {
      return await withTx(this.pool, async (client) => {
        // Locks the job row first: a second runner with the same chunk waits, then finds the cursor moved.
        const held = await client.query<{ tenant_id: string; report: string | null }>(
          `SELECT tenant_id, report FROM jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2
             AND cursor IS NOT DISTINCT FROM $3 FOR UPDATE`,
          [c.jobId, c.owner, c.cursor],
        );
        const tenantId = held.rows[0]?.tenant_id;
        if (tenantId === undefined) throw new LostJob();
        let affected = 0;
        if (c.retry && c.retry.length > 0) {
          affected += await updateDue(
            client,
            `UPDATE deliveries AS d SET status = 'pending',
               next_attempt_at = CASE WHEN e.status = 'active' THEN $3::int8 ELSE NULL END,
               next_trigger = 'manual', completed_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
               updated_at = $3
             FROM endpoints AS e
             WHERE e.id = d.endpoint_id AND d.id = ANY($1::text[]) AND d.tenant_id = $2 AND d.status = 'failed'
             RETURNING d.endpoint_id, d.status, d.next_attempt_at`,
            [c.retry, tenantId, c.now],
          );
        }
        const created = c.create?.deliveries ?? [];
        if (c.create && created.length > 0) {
          const res = await client.query(
            `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
               next_trigger, created_at, updated_at)
             SELECT v.id, $2, $3, v.event_id, 'pending', 0, v.next_at, 'manual', $4, $4
             FROM unnest($1::text[], $5::text[], $6::int8[]) AS v(id, event_id, next_at)
             WHERE EXISTS (SELECT 1 FROM events WHERE id = v.event_id AND tenant_id = $2)`,
            [
              created.map((d) => d.id),
              tenantId,
              c.create.endpointId,
              c.now,
              created.map((d) => d.eventId),
              created.map((d) => d.nextAttemptAt),
            ],
          );
          affected += res.rowCount ?? 0;
        }
        const report = c.report
          ? JSON.stringify(mergeReports(parseReport(held.rows[0]?.report), c.report))
          : (held.rows[0]?.report ?? null);
        await client.query(
          `UPDATE jobs SET cursor = $2, processed = processed + $3, affected = affected + $4,
             lease_expires_at = $5, updated_at = $6, report = $7 WHERE id = $1`,
          [c.jobId, c.nextCursor, c.processed, affected, c.leaseExpiresAt, c.now, report],
        );
        return true;
      });
    } catch (err) {
      if (err instanceof LostJob) return false;
      throw err;
    }
  }

  async finishJob(id: string, owner: string, result: JobResult, now: number): Promise<boolean> {
    const res = await this.pool.query(
      `UPDATE jobs SET status = $1, error = $2, lease_owner = NULL, lease_expires_at = NULL,
         finished_at = $3, updated_at = $3 WHERE id = $4 AND status = 'running' AND lease_owner = $5`,
      [result.status, result.error, now, id, owner],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async listFailedDeliveries(q: FailedDeliveriesQuery): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = 'failed' AND tenant_id = $2
         AND created_at >= $3 AND created_at <= $4 AND id > $5 ORDER BY id LIMIT $6`,
      [q.endpointId, q.tenantId, q.since, q.until, q.after ?? '', q.limit],
    );
    return rows.map((r) => r.id);
  }
}
