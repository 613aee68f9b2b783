import { countedTriggers, shownTriggers, storedErrorKinds } from '../../domain/log-filters.ts';
import { prefixEnd } from '../../domain/log-type-pattern.ts';
import type { Attempt, Page, PageRequest } from '../../domain/types.ts';
import {
  isIdOnlyCursor,
  LOG_ORDER,
  logCursorKey,
  nextTriggerTerm,
  parseLogCursor,
  triggerBranches,
  typeMatchOf,
} from '../attempt-log-sql.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
import type { AttemptFilter, AttemptSummary } from '../port.ts';
import type { Db, Statement, StatementCache } from './db.ts';
import { type AttemptRow, attemptFromRow, attemptParams, INSERT_ATTEMPT_SQL } from './rows.ts';

/** The attempt log: what the dashboard and the API's log views read. */
export class SqliteAttempts {
  private readonly insert: Statement;
  private readonly byTenantAndId: Statement;
  private readonly createdAtOf: Statement;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
  ) {
    registerLogFunctions(db);
    this.insert = db.prepare(INSERT_ATTEMPT_SQL);
    this.byTenantAndId = db.prepare('SELECT * FROM attempts WHERE id = ? AND tenant_id = ?');
    this.createdAtOf = db.prepare('SELECT created_at FROM attempts WHERE id = ? AND tenant_id = ?').pluck();
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
    let before = decodeCursor(page.cursor);
    if (isIdOnlyCursor(before)) {
      const at = this.createdAtOf.get(before, tenantId) as number | undefined;
      if (at === undefined) throw invalidCursor();
      before = logCursorKey(at, before);
    }
    const { sql, params } = listAttemptsQuery(tenantId, filter, before, limit + 1);
    if (sql === null) return { data: [], nextCursor: null };
    const rows = this.cache.get(sql).all(...params) as AttemptRow[];
    return toPage(rows, limit, attemptFromRow, (r) => logCursorKey(r.created_at, r.id));
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
    const openEqual = (column: string, value: unknown) => {
      open.push(`${column} = ?`);
      openParams.push(value);
    };
    let join = '';
    if (filter.endpointId !== undefined) openEqual('d.endpoint_id', filter.endpointId);
    if (filter.eventId !== undefined) openEqual('d.event_id', filter.eventId);
    if (filter.eventType !== undefined) {
      join = 'JOIN events AS e ON e.id = d.event_id';
      typeTerms('e.type', filter.eventType, open, openParams);
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
 * attempt-log-sql.ts), newest first by (created_at, id), merged when test
 * sends are asked for with other triggers. `before` is a cursor's key; `sql`
 * is null when no trigger can match.
 */
export function listAttemptsQuery(
  tenantId: string,
  filter: AttemptFilter,
  before: string | null,
  limit: number,
): { sql: string | null; params: unknown[] } {
  const branches = triggerBranches(shownTriggers(filter.triggers));
  const { where, params: common } = attemptConditions(tenantId, filter);
  const after = parseLogCursor(before);
  if (after !== null) {
    where.push('(created_at, id) < (?, ?)');
    common.push(after.createdAt, after.id);
  }
  const select = (branch: string) =>
    `SELECT * FROM attempts WHERE ${[...where, branch].join(' AND ')} ORDER BY ${LOG_ORDER} LIMIT ?`;
  if (branches.length === 0) return { sql: null, params: [] };
  if (branches.length === 1) return { sql: select(branches[0]!), params: [...common, limit] };
  const sql = `${branches.map((b) => `SELECT * FROM (${select(b)})`).join(' UNION ALL ')} ORDER BY ${LOG_ORDER} LIMIT ?`;
  return { sql, params: [...branches.flatMap(() => [...common, limit]), limit] };
}

/** The function SQLite matches event type patterns with (see domain/log-type-pattern.ts). */
const TYPE_MATCHES = 'herald_type_matches';

/**
 * Registers the log's SQL functions on a connection: SQLite has no regular
 * expressions of its own. A handful of patterns are in use at a time, so
 * each is compiled once and kept (up to 64).
 */
export function registerLogFunctions(db: Db): void {
  const compiled = new Map<string, RegExp>();
  db.function(TYPE_MATCHES, { deterministic: true }, (source: unknown, value: unknown) => {
    if (typeof source !== 'string' || typeof value !== 'string') return 0;
    let re = compiled.get(source);
    if (re === undefined) {
      if (compiled.size >= 64) compiled.clear();
      re = new RegExp(source);
      compiled.set(source, re);
    }
    return re.test(value) ? 1 : 0;
  });
}

/** Terms matching `column` against an event type or pattern. */
function typeTerms(column: string, eventType: string, where: string[], params: unknown[]): void {
  const match = typeMatchOf(eventType);
  if (match.kind === 'any') return;
  if (match.kind === 'none') {
    where.push('0 = 1');
  } else if (match.kind === 'exact') {
    where.push(`${column} = ?`);
    params.push(match.type);
  } else {
    // No range on the pattern's literal prefix: SQLite, with no statistics, would take the type
    // index's range and sort all of it for every page; walking the log in time order and testing
    // each row stops once a page is full, as the errorKind and statusCode filters do.
    where.push(`${TYPE_MATCHES}(?, ${column})`);
    params.push(match.regexp);
  }
}

/** WHERE terms for an attempt filter but its triggers; since/until are both inclusive. */
function attemptConditions(tenantId: string, filter: AttemptFilter): { where: string[]; params: unknown[] } {
  const requestId = filter.requestId ?? '';
  const byRequestId = requestId !== '';
  // A request id prefix names a handful of attempts: read them through the request_id index and
  // sort those few. `+tenant_id` keeps SQLite from preferring a time-ordered log index instead,
  // which would walk the tenant's whole log when the id matches nothing.
  const where = [byRequestId ? '+tenant_id = ?' : 'tenant_id = ?'];
  const params: unknown[] = [tenantId];
  const equal = (column: string, value: unknown) => {
    where.push(`${column} = ?`);
    params.push(value);
  };
  if (filter.endpointId !== undefined) equal('endpoint_id', filter.endpointId);
  if (filter.eventType !== undefined) typeTerms('event_type', filter.eventType, where, params);
  if (filter.eventId !== undefined) equal('event_id', filter.eventId);
  if (byRequestId) {
    // A prefix as a byte range (TEXT compares bytewise): LIKE would be case-insensitive.
    where.push('request_id >= ? AND request_id < ?');
    params.push(requestId, prefixEnd(requestId));
  }
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
