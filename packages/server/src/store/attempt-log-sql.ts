/**
 * What both dialects' log queries share: the order and its cursor, the
 * event type match, and the trigger terms, the same text on both. The log
 * is read through two partial indexes (migrations `attempt_trigger`):
 * `attempts_logged` holds every attempt but test sends and `attempts_tests`
 * only those, so the default log never walks past test sends to fill a page,
 * and `trigger=test` never walks the whole log to find a few.
 */
import { ATTEMPT_TRIGGERS } from '../domain/log-filters.ts';
import { type LogTypeMatch, logTypeMatch } from '../domain/log-type-pattern.ts';
import type { AttemptTrigger } from '../domain/types.ts';
import { invalidCursor } from './cursor.ts';

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
