/**
 * Query-string values the schemas cannot type on their own: times given as
 * ISO 8601 or epoch milliseconds, status code filters (`404`, `5xx`).
 */
import { HeraldError } from '../domain/errors.ts';
import type { AttemptFilter } from '../store/port.ts';

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

export function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const ms = ISO_START.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    const message = `must be an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, not '${value}'`;
    throw new HeraldError('validation_failed', `query.${name} ${message}`, [
      { path: `query.${name}`, message },
    ]);
  }
  return ms;
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
