/**
 * Opaque page cursors, shared by every adapter. A cursor is the base64url of
 * the last row's sort key (an id, a resource id, a name): ids are
 * time-sortable, so "rows after the cursor" is one index range scan and stays
 * stable while new rows arrive. Callers must treat cursors as opaque.
 */
import { HeraldError } from '../domain/errors.ts';
import type { Page } from '../domain/types.ts';

/** Keys are ids, names or user-supplied ids: short and printable. */
const KEY_PATTERN = /^[\x21-\x7e]{1,512}$/;

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key inside a cursor; null when there is no cursor (first page). */
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === undefined || cursor === null || cursor === '') return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  // Buffer decoding is lenient; a cursor Herald made round-trips exactly.
  if (!KEY_PATTERN.test(key) || encodeCursor(key) !== cursor) throw invalidCursor();
  return key;
}

/** For adapters whose cursor key has inner structure that turned out wrong. */
export function invalidCursor(): HeraldError {
  return new HeraldError(
    'bad_request',
    'cursor is not valid: pass the nextCursor value of the previous page unchanged, or omit it for the first page',
  );
}

/** Page sizes below 1 would never advance; the API caps the upper bound. */
export function pageLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 50;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only
 * says that another page exists.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
  keyOf: (row: R) => string,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    data: kept.map(map),
    nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
