/**
 * Query-string values the schemas cannot type on their own: times given as
 * ISO 8601 or epoch milliseconds, status code filters (`404`, `5xx`).
 */
import { HeraldError } from '../domain/errors.ts';
import type { AttemptFilter } from '../store/port.ts';
import { MAX_TIME_ISO, MAX_TIME_MS, MIN_TIME_ISO, MIN_TIME_MS } from './schemas/limits.ts';

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

function invalidTime(path: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

/**
 * A time given as epoch milliseconds, refused outside 1970–9999: both stores
 * hold more, but such a time is always a mistake, and a job or filter that
 * kept one could not be shown back as an ISO time.
 */
export function checkTime(
  ms: number,
  name: string,
  root: 'query' | 'body' = 'query',
  given: string = String(ms),
): number {
  if (!Number.isInteger(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    throw invalidTime(
      `${root}.${name}`,
      `must be between ${MIN_TIME_ISO} and ${MAX_TIME_ISO} (epoch milliseconds ${MIN_TIME_MS} to ${MAX_TIME_MS}), not '${given}'`,
    );
  }
  return ms;
}

/** An ISO 8601 time or epoch milliseconds (as text), range-checked like `checkTime`. */
export function parseTime(
  value: string | undefined,
  name: string,
  root: 'query' | 'body' = 'query',
): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return checkTime(Number(value), name, root, value);
  const ms = ISO_START.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalidTime(
      `${root}.${name}`,
      `must be an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, not '${value}'`,
    );
  }
  return checkTime(ms, name, root, value);
}

export function parseStatusCode(value: string | undefined): AttemptFilter['statusCode'] {
  if (value === undefined) return undefined;
  const m = /^([1-5])xx$/i.exec(value);
  return m ? { class: Number(m[1]) } : { exact: Number(value) };
}

/** Copies only the keys whose values are defined (the store's filters treat a present key as a filter). */
export function defined<T extends object>(obj: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
