/**
 * The bounds of every number a request may carry, in one place, so each is
 * one both stores hold and one the worker can act on. PostgreSQL `integer`
 * columns are int32 and times are `bigint` epoch milliseconds; SQLite stores
 * what it is given, so an out-of-range value would be kept there and fail
 * later, on every event that touches it. The request schemas (and so the
 * config file, which reuses them) refuse anything outside these ranges.
 */

/** The largest value of a PostgreSQL `integer` column. */
export const INT32_MAX = 2_147_483_647;

/** Times are accepted from the epoch to the last millisecond of year 9999 (what ISO 8601 can write with four digits). */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
export const MIN_TIME_ISO = '1970-01-01T00:00:00Z';
export const MAX_TIME_ISO = '9999-12-31T23:59:59.999Z';

/** Event type versions (an `integer` column); a million leaves room for any real catalog. */
export const MAX_EVENT_TYPE_VERSION = 1_000_000;

/** Drop-oldest backlog (an `integer` column, used as a row offset). */
export const MAX_BACKLOG = 10_000_000;

/**
 * Below about one request per 17 minutes the wait for a token grows past what
 * anyone means by a rate limit, and the next attempt time would leave the
 * range a `bigint` column holds for a tiny enough rate.
 */
export const MIN_RATE_PER_SECOND = 0.001;
export const MAX_RATE_PER_SECOND = 100_000;

/** Events one `POST …/events/batch` may carry. */
export const MAX_BATCH_EVENTS = 1000;
/**
 * Bytes per event the batch route's body limit allows for by default
 * (HERALD_BATCH_EVENT_BYTES): a 1 KiB event with its type, ids and JSON
 * escaping, so 1,000 such events fit in one request.
 */
export const DEFAULT_BATCH_EVENT_BYTES = 2048;
