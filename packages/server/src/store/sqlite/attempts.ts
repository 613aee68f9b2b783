import { countedTriggers, shownTriggers, storedErrorKinds } from '../../domain/log-filters.ts';
import type { Attempt, Page, PageRequest } from '../../domain/types.ts';
import { nextTriggerTerm, triggerBranches } from '../attempt-log-sql.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import type { AttemptFilter, AttemptSummary } from '../port.ts';
import type { Db, Statement, StatementCache } from './db.ts';
import { type AttemptRow, attemptFromRow, attemptParams, INSERT_ATTEMPT_SQL } from './rows.ts';

/** The attempt log: what the dashboard and the API's log views read. */
export class SqliteAttempts {
  private readonly insert: Statement;
  private readonly byTenantAndId: Statement;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
  ) {
    this.insert = db.prepare(INSERT_ATTEMPT_SQL);
    this.byTenantAndId = db.prepare('SELECT * FROM attempts WHERE id = ? AND tenant_id = ?');
  }

  insertAttempt(attempt: Attempt): void {
    this.insert.run(...attemptParams(attempt));
  }

  getAttempt(tenantId: string, id: string): Attempt | null {
    const row = this.byTenantAndId.get(id, tenantId) as AttemptRow | undefined;
    return row ? attemptFromRow(row) : null;
  }

  listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest): Page<Attempt> {
    const limit = pageLimit(page.limit);
    const { sql, params } = listAttemptsQuery(tenantId, filter, decodeCursor(page.cursor), limit + 1);
    if (sql === null) return { data: [], nextCursor: null };
    const rows = this.cache.get(sql).all(...params) as AttemptRow[];
    return toPage(rows, limit, attemptFromRow, (r) => r.id);
  }

  summarizeAttempts(tenantId: string, filter: AttemptFilter): AttemptSummary {
    const counted = countedTriggers(filter.triggers);
    const [branch] = triggerBranches(counted);
    // Only test sends asked for: none is ever counted, and no delivery is a test.
    if (branch === undefined) return { total: 0, succeeded: 0, failed: 0, pending: 0 };
    const { where, params } = attemptConditions(tenantId, filter);
    where.push(branch);
    const counts = this.cache
      .get(
        `SELECT count(*) AS total, coalesce(sum(succeeded), 0) AS succeeded
         FROM attempts WHERE ${where.join(' AND ')}`,
      )
      .get(...params) as { total: number; succeeded: number };

    // Pending counts deliveries, not attempts: only the filters a delivery has apply.
    // One count per status lets each walk its partial index (the backlog), not the whole table.
    const open = ['d.tenant_id = ?'];
    const openParams: unknown[] = [tenantId];
    let join = '';
    if (filter.endpointId !== undefined) {
      open.push('d.endpoint_id = ?');
      openParams.push(filter.endpointId);
    }
    if (filter.eventId !== undefined) {
      open.push('d.event_id = ?');
      openParams.push(filter.eventId);
    }
    if (filter.eventType !== undefined) {
      join = 'JOIN events AS e ON e.id = d.event_id';
      open.push('e.type = ?');
      openParams.push(filter.eventType);
    }
    if (filter.since !== undefined) {
      open.push('d.created_at >= ?');
      openParams.push(filter.since);
    }
    if (filter.until !== undefined) {
      open.push('d.created_at <= ?');
      openParams.push(filter.until);
    }
    const nextTrigger = nextTriggerTerm(counted, 'd.next_trigger');
    if (nextTrigger !== null) open.push(nextTrigger);
    const countIn = (status: string) =>
      `(SELECT count(*) FROM deliveries AS d ${join}
        WHERE d.status IN ('pending', 'in_flight') AND d.status = '${status}' AND ${open.join(' AND ')})`;
    const pending = this.cache
      .get(`SELECT ${countIn('pending')} + ${countIn('in_flight')}`)
      .pluck()
      .get(...openParams, ...openParams) as number;

    return {
      total: counts.total,
      succeeded: counts.succeeded,
      failed: counts.total - counts.succeeded,
      pending,
    };
  }
}

/**
 * The log query for a filter: one index range per trigger branch (see
 * attempt-log-sql.ts), merged newest first when test sends are asked for
 * with other triggers. `sql` is null when no trigger can match.
 */
export function listAttemptsQuery(
  tenantId: string,
  filter: AttemptFilter,
  before: string | null,
  limit: number,
): { sql: string | null; params: unknown[] } {
  const branches = triggerBranches(shownTriggers(filter.triggers));
  const { where, params: common } = attemptConditions(tenantId, filter);
  if (before !== null) {
    where.push('id < ?');
    common.push(before);
  }
  const select = (branch: string) =>
    `SELECT * FROM attempts WHERE ${[...where, branch].join(' AND ')} ORDER BY id DESC LIMIT ?`;
  if (branches.length === 0) return { sql: null, params: [] };
  if (branches.length === 1) return { sql: select(branches[0]!), params: [...common, limit] };
  const sql = `${branches.map((b) => `SELECT * FROM (${select(b)})`).join(' UNION ALL ')} ORDER BY id DESC LIMIT ?`;
  return { sql, params: [...branches.flatMap(() => [...common, limit]), limit] };
}

/** WHERE terms for an attempt filter but its triggers; since/until are both inclusive. */
function attemptConditions(tenantId: string, filter: AttemptFilter): { where: string[]; params: unknown[] } {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  const equal = (column: string, value: unknown) => {
    where.push(`${column} = ?`);
    params.push(value);
  };
  if (filter.endpointId !== undefined) equal('endpoint_id', filter.endpointId);
  if (filter.eventType !== undefined) equal('event_type', filter.eventType);
  if (filter.eventId !== undefined) equal('event_id', filter.eventId);
  if (filter.requestId !== undefined) equal('request_id', filter.requestId);
  if (filter.status !== undefined) equal('succeeded', filter.status === 'succeeded' ? 1 : 0);
  if (filter.statusCode !== undefined) {
    if ('exact' in filter.statusCode) {
      equal('response_status', filter.statusCode.exact);
    } else {
      where.push('response_status BETWEEN ? AND ?');
      params.push(filter.statusCode.class * 100, filter.statusCode.class * 100 + 99);
    }
  }
  if (filter.since !== undefined) {
    where.push('created_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('created_at <= ?');
    params.push(filter.until);
  }
  if (filter.errorKinds !== undefined) {
    const kinds = storedErrorKinds(filter.errorKinds);
    where.push(kinds.length === 0 ? '0 = 1' : `error_kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  return { where, params };
}
