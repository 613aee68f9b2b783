import { countedTriggers, shownTriggers } from '../../domain/log-filters.ts';
import { prefixEnd } from '../../domain/log-type-pattern.ts';
import type { Attempt, Page, PageRequest } from '../../domain/types.ts';
import * as log from '../attempt-log-sql.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
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
    let before = decodeCursor(page.cursor);
    if (log.isIdOnlyCursor(before)) {
      const { rows } = await this.pool.query<{ created_at: number }>(
        'SELECT created_at FROM attempts WHERE id = $1 AND tenant_id = $2',
        [before, tenantId],
      );
      if (!rows[0]) throw invalidCursor();
      before = log.logCursorKey(rows[0].created_at, before);
    }
    const { sql, params } = listAttemptsQuery(tenantId, filter, before, limit + 1);
    if (sql === null) return { data: [], nextCursor: null };
    const { rows } = await this.pool.query<AttemptRow>(sql, params);
    return toPage(rows, limit, attemptFromRow, (r) => log.logCursorKey(r.created_at, r.id));
  }

  async summarizeAttempts(tenantId: string, filter: AttemptFilter): Promise<AttemptSummary> {
    const counted = countedTriggers(filter.triggers);
    const [branch] = log.triggerBranches(counted);
    // Only test sends asked for: none is ever counted, and no delivery is a test.
    if (branch === undefined) return { total: 0, succeeded: 0, failed: 0, pending: 0 };
    const p = new Params();
    const where = [`tenant_id = ${p.add(tenantId)}`, ...log.attemptTerms(p, PG_LOG, filter), branch];
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
    const { join, terms } = log.pendingTerms(q, PG_LOG, tenantId, filter, counted);
    const countIn = (status: string) =>
      `(SELECT count(*) FROM deliveries AS d ${join} WHERE d.status = '${status}' AND ${terms.join(' AND ')})`;
    const pending = await this.pool.query<{ n: number }>(
      `SELECT ${countIn('pending')} + ${countIn('in_flight')} AS n`,
      q.values,
    );
    return { total, succeeded, failed: total - succeeded, pending: pending.rows[0]?.n ?? 0 };
  }
}

/**
 * PostgreSQL's log query (attempt-log-sql.ts).
 *
 * The tenant is matched as `= ANY(array)` and the order is (tenant_id,
 * created_at, id) on purpose. With `tenant_id = $1` that order is just
 * (created_at, id), and the planner, which judges a (tenant_id, …) index's
 * heap order by its first column alone, prefers other plans past a few
 * percent of the table: walking past every newer test send and every other
 * tenant's attempt. An array match keeps tenant_id in the order, which only
 * the (tenant_id, …, created_at, id) indexes give: one range scan of the log.
 */
export const listAttemptsQuery: log.LogQuery = (tenantId, filter, before, limit) => {
  const branches = log.triggerBranches(shownTriggers(filter.triggers));
  if (branches.length === 0) return { sql: null, params: [] };
  const p = new Params();
  const where = [`tenant_id = ANY(${p.add([tenantId])}::text[])`, ...log.attemptTerms(p, PG_LOG, filter)];
  const after = log.parseLogCursor(before);
  if (after !== null)
    where.push(`(created_at, id) < (${p.add(after.createdAt)}::bigint, ${p.add(after.id)})`);
  const take = p.add(limit);
  const order = `ORDER BY tenant_id DESC, ${log.LOG_ORDER}`;
  const select = (branch: string) =>
    `SELECT * FROM attempts WHERE ${[...where, branch].join(' AND ')} ${order} LIMIT ${take}`;
  if (branches.length === 1) return { sql: select(branches[0]!), params: p.values };
  const sql = `${branches.map((b) => `(${select(b)})`).join(' UNION ALL ')} ${order} LIMIT ${take}`;
  return { sql, params: p.values };
};

/**
 * How PostgreSQL writes a log filter's terms: `column` is COLLATE "C" (ranges
 * compare bytes), so a pattern's literal prefix is an index range, and `~`
 * reads the pattern's regexp as JavaScript does.
 */
const PG_LOG: log.LogDialect = {
  typeTerms(p, column, eventType) {
    const match = log.typeMatchOf(eventType);
    switch (match.kind) {
      case 'any':
        return [];
      case 'none':
        return ['false'];
      case 'exact':
        return [`${column} = ${p.add(match.type)}`];
      case 'pattern': {
        const terms: string[] = [];
        if (match.prefix !== '') {
          terms.push(`${column} >= ${p.add(match.prefix)} AND ${column} < ${p.add(prefixEnd(match.prefix))}`);
        }
        terms.push(`${column} ~ ${p.add(match.regexp)}`);
        return terms;
      }
    }
  },
  flag: (value) => value,
  oneOf: (p, column, values) => `${column} = ANY(${p.add(values)}::text[])`,
};
