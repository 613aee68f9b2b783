/**
 * The delivery log's list-valued filters (`trigger`, `errorKind`): one value,
 * several comma-separated (`trigger=scheduled,test`), or the parameter
 * repeated; JSON bodies may also give an array. Unknown values are refused
 * with the list of allowed ones, never ignored: a misspelt `trigger=tests`
 * silently showing the default log would look like "no test sends".
 */
import { HeraldError } from '../domain/errors.ts';
import { ATTEMPT_TRIGGERS, ERROR_KIND_FILTERS, type ErrorKindFilter } from '../domain/log-filters.ts';
import type { AttemptTrigger } from '../domain/types.ts';
import type { AttemptFilter } from '../store/port.ts';

export type ListValue = string | readonly string[] | undefined;

function parseList<T extends string>(value: ListValue, path: string, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const given = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  const out = new Set<T>();
  for (const raw of given) {
    const item = raw.trim();
    if (!(allowed as readonly string[]).includes(item)) {
      const message = `must be one or more of ${allowed.join(', ')} (comma-separated), not '${item}'`;
      throw new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
    }
    out.add(item as T);
  }
  return [...out];
}

/** Adds `trigger` and `errorKind`, when given, to `filter`. */
export function addListFilters(
  filter: AttemptFilter,
  given: { trigger?: ListValue; errorKind?: ListValue },
  root: 'query' | 'body' = 'query',
): AttemptFilter {
  const triggers = parseList<AttemptTrigger>(given.trigger, `${root}.trigger`, ATTEMPT_TRIGGERS);
  if (triggers !== undefined) filter.triggers = triggers;
  const kinds = parseList<ErrorKindFilter>(given.errorKind, `${root}.errorKind`, ERROR_KIND_FILTERS);
  if (kinds !== undefined) filter.errorKinds = kinds;
  return filter;
}
