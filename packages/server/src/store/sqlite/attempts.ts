import { countedTriggers, shownTriggers } from '../../domain/log-filters.ts';
import type { Attempt, Page, PageRequest } from '../../domain/types.ts';
import * as log from '../attempt-log-sql.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
import type { AttemptFilter, AttemptSummary } from '../port.ts';
import { OrderedParams } from '../sql-params.ts';
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
    if (log.isIdOnlyCursor(before)) {
      const at = this.createdAtOf.get(before, tenantId) as number | undefined;
      if (at === undefined) throw invalidCursor();
      before = log.logCursorKey(at, before);
    }
    const { sql, params } = listAttemptsQuery(tenantId, filter, before, limit + 1);
    if (sql === null) return { data: [], nextCursor: null };
    const rows = this.cache.get(sql).all(...params) as AttemptRow[];
    return toPage(rows, limit, attemptFromRow, (r) => log.logCursorKey(r.created_at, r.id));
  }

  summarizeAttempts(tenantId: string, filter: AttemptFilter): AttemptSummary {
    const counted = countedTriggers(filter.triggers);
    const [branch] = log.triggerBranches(counted);
    // Only test sends asked for: none is ever counted, and no delivery is a test.
    if (branch === undefined) return { total: 0, succeeded: 0, failed: 0, pending: 0 };
    const p = new OrderedParams();
    const where = [tenantTerm(p, tenantId, filter), ...log.attemptTerms(p, SQLITE_LOG, filter), branch];
    const counts = this.cache
      .get(
        `SELECT count(*) AS total, coalesce(sum(succeeded), 0) AS succeeded
         FROM attempts WHERE ${where.join(' AND ')}`,
      )
      .get(...p.values) as { total: number; succeeded: number };

    // Pending counts deliveries, not attempts: only the filters a delivery has apply.
    // One count per status lets each walk its partial index (the backlog), not the whole table.
    const q = new OrderedParams();
    const { join, terms } = log.pendingTerms(q, SQLITE_LOG, tenantId, filter, counted);
    const countIn = (status: string) =>
      `(SELECT count(*) FROM deliveries AS d ${join}
        WHERE d.status IN ('pending', 'in_flight') AND d.status = '${status}' AND ${terms.join(' AND ')})`;
    const pending = this.cache
      .get(`SELECT ${countIn('pending')} + ${countIn('in_flight')}`)
      .pluck()
      .get(...q.values, ...q.values) as number;

    return {
      total: counts.total,
      succeeded: counts.succeeded,
      failed: counts.total - counts.succeeded,
      pending,
    };
  }
}

/** SQLite's log query (attempt-log-sql.ts): `?` binds in order, so each branch repeats its parameters. */
export const listAttemptsQuery: log.LogQuery = (tenantId, filter, before, limit) => {
  const branches = log.triggerBranches(shownTriggers(filter.triggers));
  const p = new OrderedParams();
  const where = [tenantTerm(p, tenantId, filter), ...log.attemptTerms(p, SQLITE_LOG, filter)];
  const after = log.parseLogCursor(before);
  if (after !== null) where.push(`(created_at, id) < (${p.add(after.createdAt)}, ${p.add(after.id)})`);
  const common = p.values;
  const select = (branch: string) =>
    `SELECT * FROM attempts WHERE ${[...where, branch].join(' AND ')} ORDER BY ${log.LOG_ORDER} LIMIT ?`;
  if (branches.length === 0) return { sql: null, params: [] };
  if (branches.length === 1) return { sql: select(branches[0]!), params: [...common, limit] };
  const sql = `${branches.map((b) => `SELECT * FROM (${select(b)})`).join(' UNION ALL ')} ORDER BY ${log.LOG_ORDER} LIMIT ?`;
  return { sql, params: [...branches.flatMap(() => [...common, limit]), limit] };
};

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

/**
 * How SQLite writes a log filter's terms. No range on a pattern's literal
 * prefix: SQLite, with no statistics, would take the type index's range and
 * sort all of it for every page; walking the log in time order and testing
 * each row stops once a page is full, as the errorKind and statusCode filters do.
 */
const SQLITE_LOG: log.LogDialect = {
  typeTerms(p, column, eventType) {
    const match = log.typeMatchOf(eventType);
    if (match.kind === 'any') return [];
    if (match.kind === 'none') return ['0 = 1'];
    if (match.kind === 'exact') return [`${column} = ${p.add(match.type)}`];
    return [`${TYPE_MATCHES}(${p.add(match.regexp)}, ${column})`];
  },
  flag: (value) => (value ? 1 : 0),
  oneOf: (p, column, values) =>
    values.length === 0 ? '0 = 1' : `${column} IN (${values.map((v) => p.add(v)).join(', ')})`,
};

/**
 * The tenant's term. A request id prefix names a handful of attempts: read
 * them through the request_id index and sort those few. `+tenant_id` keeps
 * SQLite from preferring a time-ordered log index instead, which would walk
 * the tenant's whole log when the id matches nothing.
 */
function tenantTerm(p: OrderedParams, tenantId: string, filter: AttemptFilter): string {
  const byRequestId = (filter.requestId ?? '') !== '';
  return `${byRequestId ? '+' : ''}tenant_id = ${p.add(tenantId)}`;
}
