/**
 * What both dialects' log queries share: the order and its cursor, the
 * event type match, and the trigger terms, the same text on both. The log
 * is read through two partial indexes (migrations `attempt_trigger`):
 * `attempts_logged` holds every attempt but test sends and `attempts_tests`
 * only those, so the default log never walks past test sends to fill a page,
 * and `trigger=test` never walks the whole log to find a few.
 */
import { ATTEMPT_TRIGGERS, storedErrorKinds } from '../domain/log-filters.ts';
import { type LogTypeMatch, logTypeMatch, prefixEnd } from '../domain/log-type-pattern.ts';
import type { AttemptTrigger } from '../domain/types.ts';
import { invalidCursor } from './cursor.ts';
import type { AttemptFilter } from './port.ts';
import type { SqlParams } from './sql-params.ts';

/** The partial indexes' conditions, exactly as the migrations write them. */
export const LOGGED_TERM = "trigger != 'test'";
export const TESTS_TERM = "trigger = 'test'";

function literal(trigger: AttemptTrigger): string {
  // Filters come validated from the API, or from a job's stored params: check anyway, it is inlined.
  if (!ATTEMPT_TRIGGERS.includes(trigger)) throw new Error(`unknown attempt trigger '${String(trigger)}'`);
  return `'${trigger}'`;
}

/**
 * One WHERE term per index the triggers are read through: the logged ones
 * (narrowed to one trigger where only one is asked for), test sends, or both.
 * The terms are literals, not parameters, because a partial index is only
 * used when the query states its condition; no branch means nothing matches.
 */
export function triggerBranches(triggers: readonly AttemptTrigger[]): string[] {
  const logged = [...new Set(triggers.filter((t) => t !== 'test'))];
  const branches: string[] = [];
  if (logged.length === 1) branches.push(`${LOGGED_TERM} AND trigger = ${literal(logged[0]!)}`);
  else if (logged.length > 1) branches.push(LOGGED_TERM);
  if (triggers.includes('test')) branches.push(TESTS_TERM);
  return branches;
}

/**
 * The pending deliveries' term for counted triggers: a delivery's next
 * attempt is `manual` or `scheduled` (`next_trigger`); both means no term.
 */
export function nextTriggerTerm(counted: readonly AttemptTrigger[], column: string): string | null {
  const kinds = [...new Set(counted)];
  return kinds.length === 1 ? `${column} = ${literal(kinds[0]!)}` : null;
}

/**
 * The log's order: when each attempt was made, newest first, ties by id, on
 * both dialects. The by-time indexes (migrations `attempt_log_time_order`)
 * hold rows in exactly this order.
 */
export const LOG_ORDER = 'created_at DESC, id DESC';

/** A log row's place in that order, as a page cursor's key: `<createdAt>:<id>`. */
export function logCursorKey(createdAt: number | string, id: string): string {
  return `${createdAt}:${id}`;
}

/**
 * Cursors made before the log was ordered by time hold an attempt id alone
 * (a job paging through the log during an upgrade keeps one): the adapter
 * looks up that attempt's time and goes on from there.
 */
export const isIdOnlyCursor = (key: string | null): key is string => key !== null && !key.includes(':');

/** The place a cursor's key names; a key Herald did not make is an invalid cursor. */
export function parseLogCursor(key: string | null): { createdAt: number; id: string } | null {
  if (key === null) return null;
  const m = /^(\d{1,16}):(.+)$/.exec(key);
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw invalidCursor();
  return { createdAt: Number(m[1]), id: m[2]! };
}

/**
 * How a filter's event type is matched. The API refuses a pattern that does
 * not parse; one that reaches a store anyway (a job's stored filter) matches
 * nothing rather than everything.
 */
export function typeMatchOf(eventType: string): LogTypeMatch | { kind: 'none' } {
  const match = logTypeMatch(eventType);
  return typeof match === 'string' ? { kind: 'none' } : match;
}

/**
 * An adapter's log query for a filter: one index range per trigger branch,
 * newest first by (created_at, id), merged when test sends are asked for with
 * other triggers. `before` is a cursor's key; `sql` is null when no trigger can match.
 */
export type LogQuery = (
  tenantId: string,
  filter: AttemptFilter,
  before: string | null,
  limit: number,
) => { sql: string | null; params: unknown[] };

/** What the dialects write differently in a log filter's terms. */
export interface LogDialect {
  /** Terms matching `column` against an event type or pattern. */
  typeTerms(p: SqlParams, column: string, eventType: string): string[];
  /** How `succeeded` is bound: 0/1 in SQLite, a boolean in PostgreSQL. */
  flag(value: boolean): unknown;
  /** `column` is one of `values` (none: nothing matches). */
  oneOf(p: SqlParams, column: string, values: readonly string[]): string;
}

/**
 * WHERE terms for an attempt filter but its tenant and triggers; since/until
 * are both inclusive. A request id prefix is a byte range (request_id
 * compares bytewise in both databases): LIKE would be case-insensitive.
 */
export function attemptTerms(p: SqlParams, d: LogDialect, filter: AttemptFilter): string[] {
  const where: string[] = [];
  if (filter.endpointId !== undefined) where.push(`endpoint_id = ${p.add(filter.endpointId)}`);
  if (filter.eventType !== undefined) where.push(...d.typeTerms(p, 'event_type', filter.eventType));
  if (filter.eventId !== undefined) where.push(`event_id = ${p.add(filter.eventId)}`);
  if (filter.requestId !== undefined && filter.requestId !== '') {
    const from = p.add(filter.requestId);
    where.push(`request_id >= ${from} AND request_id < ${p.add(prefixEnd(filter.requestId))}`);
  }
  if (filter.status !== undefined) where.push(`succeeded = ${p.add(d.flag(filter.status === 'succeeded'))}`);
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
  if (filter.errorKinds !== undefined)
    where.push(d.oneOf(p, 'error_kind', storedErrorKinds(filter.errorKinds)));
  return where;
}

/**
 * The pending deliveries a summary counts (`d`, joined to their event `e`
 * when the filter names a type): only the filters a delivery has apply.
 */
export function pendingTerms(
  p: SqlParams,
  d: LogDialect,
  tenantId: string,
  filter: AttemptFilter,
  counted: readonly AttemptTrigger[],
): { join: string; terms: string[] } {
  const terms = [`d.tenant_id = ${p.add(tenantId)}`];
  let join = '';
  if (filter.endpointId !== undefined) terms.push(`d.endpoint_id = ${p.add(filter.endpointId)}`);
  if (filter.eventId !== undefined) terms.push(`d.event_id = ${p.add(filter.eventId)}`);
  if (filter.eventType !== undefined) {
    join = 'JOIN events AS e ON e.id = d.event_id';
    terms.push(...d.typeTerms(p, 'e.type', filter.eventType));
  }
  if (filter.since !== undefined) terms.push(`d.created_at >= ${p.add(filter.since)}`);
  if (filter.until !== undefined) terms.push(`d.created_at <= ${p.add(filter.until)}`);
  const nextTrigger = nextTriggerTerm(counted, 'd.next_trigger');
  if (nextTrigger !== null) terms.push(nextTrigger);
  return { join, terms };
}
