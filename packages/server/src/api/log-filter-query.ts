/**
 * The delivery log's filters as people type them, checked the same way for a
 * query string (`GET …/attempts`, `…/attempts/summary`) and a JSON body (bulk
 * retry): every refusal is a 422 naming the field and saying what would be
 * accepted, never a regular expression or a 500.
 *
 * - `trigger`, `errorKind`: one value, several comma-separated
 *   (`trigger=scheduled,test`), or the parameter repeated; JSON bodies may
 *   also give an array. Unknown values are refused with the list of allowed
 *   ones, never ignored: a misspelt `trigger=tests` silently showing the
 *   default log would look like "no test sends".
 * - `eventType`: a type or a pattern as endpoints subscribe (`order.*`,
 *   `*.created`), without a version pin.
 * - `requestId`: a request id or its beginning.
 * - `statusCode`: a code (`404`) or a class (`5xx`).
 */
import { HeraldError } from '../domain/errors.ts';
import { ATTEMPT_TRIGGERS, ERROR_KIND_FILTERS, type ErrorKindFilter } from '../domain/log-filters.ts';
import { logTypeMatch } from '../domain/log-type-pattern.ts';
import type { AttemptTrigger } from '../domain/types.ts';
import type { AttemptFilter } from '../store/port.ts';

export type ListValue = string | readonly string[] | undefined;

/** Request ids are `req_` and a ULID; a prefix is any beginning of one. */
const REQUEST_ID_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;
const STATUS_CODE = /^[1-5][0-9]{2}$/;
const STATUS_CLASS = /^([1-5])xx$/i;

function invalid(path: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

/** A value as it may be shown back inside a message: short, on one line. */
function shown(value: string): string {
  const line = [...value].map((c) => (c < ' ' || c === '\x7f' ? '?' : c)).join('');
  return line.length > 60 ? `${line.slice(0, 60)}…` : line;
}

function parseList<T extends string>(value: ListValue, path: string, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const given = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(','));
  const out = new Set<T>();
  for (const raw of given) {
    const item = raw.trim();
    if (!(allowed as readonly string[]).includes(item)) {
      throw invalid(
        path,
        `must be one or more of ${allowed.join(', ')} (comma-separated), not '${shown(item)}'`,
      );
    }
    out.add(item as T);
  }
  return [...out];
}

/** `404` or `5xx` (also `5XX`); anything else is refused with an example of each. */
export function parseStatusCodeFilter(value: string, path: string): NonNullable<AttemptFilter['statusCode']> {
  if (STATUS_CODE.test(value)) return { exact: Number(value) };
  const m = STATUS_CLASS.exec(value);
  if (m) return { class: Number(m[1]) };
  const hint = ERROR_KIND_FILTERS.includes(value.trim().toLowerCase() as ErrorKindFilter)
    ? `; attempts that failed with '${shown(value.trim())}' are found with errorKind`
    : '';
  throw invalid(
    path,
    `must be a response code from 100 to 599 (404) or a class (5xx), not '${shown(value)}'${hint}`,
  );
}

function checkEventType(value: string, path: string): void {
  const match = logTypeMatch(value);
  if (typeof match === 'string') throw invalid(path, match);
}

function checkRequestId(value: string, path: string): void {
  if (!REQUEST_ID_PREFIX.test(value)) {
    throw invalid(
      path,
      `must be a request id or its beginning (letters, digits, '_' and '-', up to 64), e.g. req_01J, not '${shown(value)}'`,
    );
  }
}

/** What the query or body gave, as the schemas typed it. */
export interface GivenLogFilters {
  trigger?: ListValue;
  errorKind?: ListValue;
  eventType?: string;
  requestId?: string;
  statusCode?: string;
}

/**
 * Checks the typed-in filters of `given` and adds `trigger`, `errorKind` and
 * `statusCode`, when given, to `filter`; `eventType` and `requestId` are
 * taken as given once checked. Also refuses `until` before `since`.
 */
export function addListFilters(
  filter: AttemptFilter,
  given: GivenLogFilters,
  root: 'query' | 'body' = 'query',
): AttemptFilter {
  const triggers = parseList<AttemptTrigger>(given.trigger, `${root}.trigger`, ATTEMPT_TRIGGERS);
  if (triggers !== undefined) filter.triggers = triggers;
  const kinds = parseList<ErrorKindFilter>(given.errorKind, `${root}.errorKind`, ERROR_KIND_FILTERS);
  if (kinds !== undefined) filter.errorKinds = kinds;
  if (given.eventType !== undefined) checkEventType(given.eventType, `${root}.eventType`);
  if (given.requestId !== undefined) checkRequestId(given.requestId, `${root}.requestId`);
  if (given.statusCode !== undefined) {
    filter.statusCode = parseStatusCodeFilter(given.statusCode, `${root}.statusCode`);
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.until < filter.since) {
    throw invalid(`${root}.until`, `must not be earlier than ${root}.since`);
  }
  return filter;
}
