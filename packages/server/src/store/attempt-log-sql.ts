/**
 * The trigger terms of a log query, the same text on both dialects. The log
 * is read through two partial indexes (migrations `attempt_trigger`):
 * `attempts_logged` holds every attempt but test sends and `attempts_tests`
 * only those, so the default log never walks past test sends to fill a page,
 * and `trigger=test` never walks the whole log to find a few.
 */
import { ATTEMPT_TRIGGERS } from '../domain/log-filters.ts';
import type { AttemptTrigger } from '../domain/types.ts';

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
