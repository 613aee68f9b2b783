import type { Attempt, Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import type { AttemptFilter, AttemptSummary } from '../port.ts';
import { Params, type Pool } from './db.ts';
import { type AttemptRow, attemptColumns, attemptFromRow, INSERT_ATTEMPTS_SQL } from './rows.ts';

/** The attempt log: what the dashboard and the API's log views read. */
export class PgAttempts {
  constructor(private readonly pool: Pool) {}

  async insertAttempt(attempt: Attempt): Promise<void> {
    await this.pool.query(INSERT_ATTEMPTS_SQL, attemptColumns([attempt]));
  }

  async getAttempt(tenantId: string, id: string): Promise<Attempt | null> {
    const { rows } = await this.pool.query<AttemptRow>(
      'SELECT * FROM attempts WHERE id = $1 AND tenant_id = $2',
      [id, tenantId],
    );
    return rows[0] ? attemptFromRow(rows[0]) : null;
  }

  async listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest): Promise<Page<Attempt>> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new Params();
    const where = attemptConditions(p, tenantId, filter, filter.includeTests !== false);
    if (after !== null) where.push(`id < ${p.add(after)}`);
    const { rows } = await this.pool.query<AttemptRow>(
      `SELECT * FROM attempts WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    return toPage(rows, limit, attemptFromRow, (r) => r.id);
  }

  async summarizeAttempts(tenantId: string, filter: AttemptFilter): Promise<AttemptSummary> {
    const p = new Params();
    const where = attemptConditions(p, tenantId, filter, false);
    const counts = await this.pool.query<{ total: number; succeeded: number }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE succeeded) AS succeeded
       FROM attempts WHERE ${where.join(' AND ')}`,
      p.values,
    );
    const total = counts.rows[0]?.total ?? 0;
    const succeeded = counts.rows[0]?.succeeded ?? 0;

    // Pending counts deliveries, not attempts: only the filters a delivery has apply.
    // One count per status lets each walk its partial index (the backlog), not the whole table.
    const q = new Params();
    const open = [`d.tenant_id = ${q.add(tenantId)}`];
    let join = '';
    if (filter.endpointId !== undefined) open.push(`d.endpoint_id = ${q.add(filter.endpointId)}`);
    if (filter.eventId !== undefined) open.push(`d.event_id = ${q.add(filter.eventId)}`);
    if (filter.eventType !== undefined) {
      join = 'JOIN events AS e ON e.id = d.event_id';
      open.push(`e.type = ${q.add(filter.eventType)}`);
    }
    if (filter.since !== undefined) open.push(`d.created_at >= ${q.add(filter.since)}`);
    if (filter.until !== undefined) open.push(`d.created_at <= ${q.add(filter.until)}`);
    const countIn = (status: string) =>
      `(SELECT count(*) FROM deliveries AS d ${join} WHERE d.status = '${status}' AND ${open.join(' AND ')})`;
    const pending = await this.pool.query<{ n: number }>(
      `SELECT ${countIn('pending')} + ${countIn('in_flight')} AS n`,
      q.values,
    );
    return { total, succeeded, failed: total - succeeded, pending: pending.rows[0]?.n ?? 0 };
  }
}

/** WHERE terms for an attempt filter; since/until are both inclusive. */
function attemptConditions(
  p: Params,
  tenantId: string,
  filter: AttemptFilter,
  includeTests: boolean,
): string[] {
  const where = [`tenant_id = ${p.add(tenantId)}`];
  if (filter.endpointId !== undefined) where.push(`endpoint_id = ${p.add(filter.endpointId)}`);
  if (filter.eventType !== undefined) where.push(`event_type = ${p.add(filter.eventType)}`);
  if (filter.eventId !== undefined) where.push(`event_id = ${p.add(filter.eventId)}`);
  if (filter.requestId !== undefined) where.push(`request_id = ${p.add(filter.requestId)}`);
  if (filter.status !== undefined) where.push(`succeeded = ${p.add(filter.status === 'succeeded')}`);
  if (filter.statusCode !== undefined) {
    if ('exact' in filter.statusCode) {
      where.push(`response_status = ${p.add(filter.statusCode.exact)}`);
    } else {
      const low = filter.statusCode.class * 100;
      where.push(`response_status BETWEEN ${p.add(low)} AND ${p.add(low + 99)}`);
    }
  }
  if (filter.since !== undefined) where.push(`created_at >= ${p.add(filter.since)}`);
  if (filter.until !== undefined) where.push(`created_at <= ${p.add(filter.until)}`);
  if (!includeTests) where.push("trigger != 'test'");
  return where;
}
