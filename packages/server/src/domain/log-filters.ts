/**
 * The delivery log's trigger and error-kind filters. Test sends and mock
 * events are no part of the log: the platforms Herald serves promise their
 * customers that mock events are not logged, so the log leaves them out
 * unless `trigger=test` is asked for, and summaries and stats never count them.
 *
 * Attempts record a precise error kind (`connection_reset`, `http_status`…);
 * the log filters by the coarser kinds a person looking for a problem thinks
 * in, each naming the attempts' kinds it covers.
 */
import type { AttemptErrorKind, AttemptTrigger } from './types.ts';

export const ATTEMPT_TRIGGERS: readonly AttemptTrigger[] = Object.freeze(['scheduled', 'manual', 'test']);

/** What the log shows when no trigger is asked for: every trigger but `test`. */
export const LOGGED_TRIGGERS: readonly AttemptTrigger[] = Object.freeze(['scheduled', 'manual']);

export type ErrorKindFilter = 'timeout' | 'connection' | 'dns' | 'tls' | 'refused' | 'http' | 'transform';

/** An attempt's stored kind. */
export type StoredErrorKind = AttemptErrorKind;

/**
 * The kinds behind each filter: `refused` is a connection that was never
 * made because it was refused (by the receiver's host, or by Herald's network
 * policy or URL rules); `connection` one that broke or spoke no HTTP.
 */
export const ERROR_KINDS_BY_FILTER: Readonly<Record<ErrorKindFilter, readonly StoredErrorKind[]>> =
  Object.freeze({
    timeout: ['timeout'],
    connection: ['connection_reset', 'network'],
    dns: ['dns'],
    tls: ['tls'],
    refused: ['connection_refused', 'private_network', 'invalid_url'],
    http: ['http_status', 'redirect'],
    transform: ['transform', 'cancelled'],
  });

export const ERROR_KIND_FILTERS = Object.freeze(
  Object.keys(ERROR_KINDS_BY_FILTER),
) as readonly ErrorKindFilter[];

/** The stored kinds any of `filters` covers, each once. */
export function storedErrorKinds(filters: readonly ErrorKindFilter[]): StoredErrorKind[] {
  return [...new Set(filters.flatMap((f) => ERROR_KINDS_BY_FILTER[f]))];
}

/** The triggers a log query shows: those asked for, else every trigger but `test`. */
export function shownTriggers(asked: readonly AttemptTrigger[] | undefined): readonly AttemptTrigger[] {
  return asked ?? LOGGED_TRIGGERS;
}

/** The triggers a summary or stat counts: those shown, never `test`. */
export function countedTriggers(asked: readonly AttemptTrigger[] | undefined): AttemptTrigger[] {
  return shownTriggers(asked).filter((t) => t !== 'test');
}
