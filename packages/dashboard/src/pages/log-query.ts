/**
 * The delivery log's filters as the address bar keeps them, so a filtered
 * view can be shared and survives a reload (`?eventType=order.*&range=1h`),
 * and the checks that turn typed-in text into a readable message before
 * anything is sent. The names are the API's own (`GET …/attempts`); `range`
 * (a quick range, resolved when the page loads) and `attempt` (the one open
 * in the drawer) are the page's. Pure: no DOM, no React.
 */
import type { AttemptFilter, ErrorKindFilter } from '../../../sdk/src/client/index.ts';

export type QuickRange = '' | '15m' | '1h' | '24h' | '7d' | 'custom';
export type TriggerChoice = '' | 'scheduled' | 'manual' | 'test' | 'all';

export interface Filters {
  range: QuickRange;
  /** ISO times, used when `range` is `custom`. */
  since: string;
  until: string;
  statusCode: string;
  errorKind: '' | ErrorKindFilter;
  eventId: string;
  requestId: string;
  eventType: string;
  endpointId: string;
  status: '' | 'succeeded' | 'failed';
  trigger: TriggerChoice;
}

export const NO_FILTERS: Filters = {
  range: '',
  since: '',
  until: '',
  statusCode: '',
  errorKind: '',
  eventId: '',
  requestId: '',
  eventType: '',
  endpointId: '',
  status: '',
  trigger: '',
};

export const QUICK_RANGES: [QuickRange, string, number][] = [
  ['', 'any time', 0],
  ['15m', 'last 15 minutes', 15 * 60_000],
  ['1h', 'last hour', 3_600_000],
  ['24h', 'last 24 hours', 86_400_000],
  ['7d', 'last 7 days', 7 * 86_400_000],
  ['custom', 'custom…', 0],
];

export const ERROR_KINDS: readonly ErrorKindFilter[] = [
  'timeout',
  'connection',
  'refused',
  'dns',
  'tls',
  'http',
  'transform',
];
const TRIGGERS: readonly TriggerChoice[] = ['scheduled', 'manual', 'test', 'all'];
const ALL_TRIGGERS = 'scheduled,manual,test';

/** The URL parameter each filter is kept under, in the order they are written. */
const TEXT_KEYS = ['eventType', 'eventId', 'requestId', 'statusCode', 'endpointId'] as const;

const oneOf = <T extends string>(value: string | null, allowed: readonly T[]): T | '' =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';

const isoOrEmpty = (value: string | null): string =>
  value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : '';

/** The filters a URL's query names; values no control can show (status=maybe) are left out. */
export function fromSearch(search: URLSearchParams): Filters {
  const f: Filters = { ...NO_FILTERS };
  for (const key of TEXT_KEYS) f[key] = search.get(key) ?? '';
  f.status = oneOf(search.get('status'), ['succeeded', 'failed'] as const);
  f.errorKind = oneOf(search.get('errorKind'), ERROR_KINDS);
  const trigger = search.get('trigger');
  f.trigger =
    trigger === ALL_TRIGGERS
      ? 'all'
      : oneOf(
          trigger,
          TRIGGERS.filter((t) => t !== 'all'),
        );
  f.since = isoOrEmpty(search.get('since'));
  f.until = isoOrEmpty(search.get('until'));
  const range = oneOf(
    search.get('range'),
    QUICK_RANGES.map(([r]) => r),
  );
  f.range = range !== '' ? range : f.since || f.until ? 'custom' : '';
  return f;
}

/** The query string for `f` (no leading '?'), empty fields left out. */
export function toSearch(f: Filters, extra: Record<string, string> = {}): string {
  const out = new URLSearchParams();
  if (f.range === 'custom') {
    if (f.since) out.set('since', f.since);
    if (f.until) out.set('until', f.until);
  } else if (f.range) out.set('range', f.range);
  for (const key of TEXT_KEYS) if (f[key].trim()) out.set(key, f[key].trim());
  if (f.status) out.set('status', f.status);
  if (f.errorKind) out.set('errorKind', f.errorKind);
  if (f.trigger) out.set('trigger', f.trigger === 'all' ? ALL_TRIGGERS : f.trigger);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out.toString();
}

/** The API's filter for `f`, a quick range counted back from `now`. */
export function toApi(f: Filters, now: number): AttemptFilter {
  const out: AttemptFilter = {};
  const quick = QUICK_RANGES.find(([r]) => r === f.range)?.[2] ?? 0;
  if (quick > 0) out.since = new Date(now - quick).toISOString();
  if (f.range === 'custom') {
    if (f.since) out.since = f.since;
    if (f.until) out.until = f.until;
  }
  for (const key of TEXT_KEYS) if (f[key].trim()) out[key] = f[key].trim();
  if (f.status) out.status = f.status;
  if (f.errorKind) out.errorKind = f.errorKind;
  if (f.trigger === 'all') out.trigger = ['scheduled', 'manual', 'test'];
  else if (f.trigger) out.trigger = f.trigger;
  return out;
}

/** Whether a filter asks for test sends only, which no summary ever counts. */
export const testSendsOnly = (f: AttemptFilter) => f.trigger === 'test';

export type FilterErrors = Partial<
  Record<'eventType' | 'statusCode' | 'requestId' | 'eventId' | 'until', string>
>;

const SEGMENT = /^(\*|[A-Za-z0-9_-]+)$/;
const ID_TEXT = /^[A-Za-z0-9_-]{1,64}$/;
/** Words people type into the wrong box: they name an outcome, not an event type or a code. */
const OUTCOME_WORDS = new Set<string>([...ERROR_KINDS, 'failed', 'failure', 'error', 'succeeded', 'success']);

/** Where a word naming an outcome belongs: `timeout` is an error kind, `failed` a status. */
function outcomeHint(word: string): string {
  const w = word.toLowerCase();
  return (ERROR_KINDS as readonly string[]).includes(w)
    ? `“${word}” is an error kind: choose it under Error kind`
    : `“${word}” is an outcome: choose it under Status`;
}

/**
 * The event type filter's problem, the same rules as the API's (an event
 * type or a pattern with `*` for whole segments, no version), or null.
 * `known` is the catalog's type names, when loaded: a word such as
 * `timeout` that names an outcome, not a known type, is pointed to the
 * control that filters by it.
 */
export function eventTypeProblem(value: string, known: readonly string[] | null): string | null {
  const v = value.trim();
  if (!v) return null;
  if (v.length > 140) return 'An event type or pattern has at most 140 characters.';
  if (v.includes('@')) {
    return `The log records event types, not versions: remove “${v.slice(v.indexOf('@'))}”.`;
  }
  const segments = v.split('.');
  if (!segments.every((s) => SEGMENT.test(s))) {
    const starInside = segments.some((s) => s.includes('*') && s !== '*');
    return starInside
      ? `“*” stands for a whole segment between dots: write order.* or *.created, not “${v}”.`
      : `“${v}” is not an event type: use names separated by dots (order.created), with * for a whole segment (order.*, *.created).`;
  }
  if (OUTCOME_WORDS.has(v.toLowerCase()) && !(known ?? []).includes(v)) {
    return `${outcomeHint(v)}, not here. Event types look like order.created or order.*.`;
  }
  return null;
}

export function statusCodeProblem(value: string): string | null {
  const v = value.trim();
  if (!v || /^[1-5][0-9]{2}$/.test(v) || /^[1-5]xx$/i.test(v)) return null;
  const hint = OUTCOME_WORDS.has(v.toLowerCase()) ? ` ${outcomeHint(v)}.` : '';
  return `Give a response code such as 404, or a class such as 5xx.${hint}`;
}

/** Every filter's problem; empty when the filters can be applied. */
export function checkFilters(f: Filters, known: readonly string[] | null): FilterErrors {
  const errors: FilterErrors = {};
  const type = eventTypeProblem(f.eventType, known);
  if (type) errors.eventType = type;
  const code = statusCodeProblem(f.statusCode);
  if (code) errors.statusCode = code;
  const requestId = f.requestId.trim();
  if (requestId && !ID_TEXT.test(requestId)) {
    errors.requestId =
      'Paste the request id (the x-request-id header the endpoint got) or its beginning, e.g. req_01J: letters, digits, _ and - only.';
  }
  const eventId = f.eventId.trim();
  if (eventId && !ID_TEXT.test(eventId)) {
    errors.eventId = 'Paste an event id such as evt_01J…: letters, digits, _ and - only.';
  }
  if (f.range === 'custom' && f.since && f.until && f.until < f.since) {
    errors.until = '“To” is before “From”: pick a later time, or swap them.';
  }
  return errors;
}

/** An ISO time as an `<input type="datetime-local">` value, in local time to the second. */
export function isoToLocalInput(iso: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
