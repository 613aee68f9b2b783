/**
 * When to try a delivery again, and what an attempt's answer means.
 *
 * Default schedule: the first attempt at once, then 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h (eight attempts over about 37 hours), each delay with
 * ±20 % jitter so that endpoints recovering from an outage are not hit by
 * every delivery in the same second.
 */
import type { RetryPolicy } from './types.ts';

/** Delays (seconds) before attempts 2..8; a custom schedule's last entry repeats. */
// Frozen: it is shared by every endpoint without a schedule of its own.
export const DEFAULT_RETRY_SCHEDULE_SECONDS: number[] = Object.freeze([
  5, 300, 1800, 7200, 18000, 36000, 36000,
]) as number[];
export const DEFAULT_MAX_ATTEMPTS = 8;

export const JITTER_RATIO = 0.2;

/**
 * Bounds for a receiver's Retry-After: below 1 s a busy receiver would be
 * hammered, above 1 h a single answer could stall a delivery for days.
 */
export const RETRY_AFTER_MIN_MS = 1000;
export const RETRY_AFTER_MAX_MS = 3_600_000;

/**
 * The delay after attempt `failedAttemptNumber` (1-based) failed, or null when
 * it was the last one the policy allows. `random()` in [0, 1): 0.5 gives the
 * schedule exactly, 0 gives −20 %, values near 1 give almost +20 %.
 */
export function retryDelayMs(
  failedAttemptNumber: number,
  policy: RetryPolicy,
  random: () => number,
): number | null {
  if (failedAttemptNumber >= policy.maxAttempts) return null;
  const schedule =
    policy.schedule !== undefined && policy.schedule.length > 0
      ? policy.schedule
      : DEFAULT_RETRY_SCHEDULE_SECONDS;
  const index = Math.min(Math.max(failedAttemptNumber, 1), schedule.length) - 1;
  const seconds = schedule[index]!;
  const factor = 1 + JITTER_RATIO * (2 * random() - 1);
  return Math.max(0, Math.round(seconds * 1000 * factor));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 9110 §5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms recipients must accept.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

function utc(year: number, month: string, day: number, h: number, m: number, s: number): number | null {
  const monthIndex = MONTHS.indexOf(month);
  if (monthIndex === -1 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return null;
  const ms = Date.UTC(year, monthIndex, day, h, m, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March; such a date is garbage, not a date.
  return new Date(ms).getUTCDate() === day ? ms : null;
}

function parseHttpDate(value: string, now: number): number | null {
  let match = IMF_FIXDATE.exec(value);
  if (match) {
    const [, d, mon, y, h, m, s] = match;
    return utc(Number(y), mon!, Number(d), Number(h), Number(m), Number(s));
  }
  match = RFC850_DATE.exec(value);
  if (match) {
    const [, d, mon, yy, h, m, s] = match;
    // Two-digit years: the one nearest now, never more than 50 years ahead (RFC 9110).
    const century = Math.floor(new Date(now).getUTCFullYear() / 100) * 100;
    let year = century + Number(yy);
    if (year > new Date(now).getUTCFullYear() + 50) year -= 100;
    return utc(year, mon!, Number(d), Number(h), Number(m), Number(s));
  }
  match = ASCTIME_DATE.exec(value);
  if (match) {
    const [, mon, d, h, m, s, y] = match;
    return utc(Number(y), mon!, Number(d!.trim()), Number(h), Number(m), Number(s));
  }
  return null;
}

/**
 * A Retry-After header as milliseconds from `now`: delta-seconds (`120`) or an
 * HTTP-date (a date in the past gives 0). Anything else gives null. Not
 * clamped: judgeAttempt clamps.
 */
export function parseRetryAfter(value: string | undefined | null, now: number): number | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : Number.MAX_SAFE_INTEGER;
  }
  const at = parseHttpDate(trimmed, now);
  if (at === null || Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

export type AttemptVerdict =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'exhausted' }
  /** 410 Gone: the receiver says the endpoint is no more. Disable it; this delivery fails. */
  | { kind: 'gone' };

export interface AttemptResult {
  /** 1-based number of the attempt that just ended. */
  attemptNumber: number;
  policy: RetryPolicy;
  /** null when no response came (network error, timeout). */
  statusCode: number | null;
  retryAfter?: string | null;
  /**
   * A broker's (or the relay's) own reading of its answer: `success` succeeds,
   * `permanent` ends the delivery now (no retry can change it), `retryable`
   * follows the schedule. Absent for HTTP.
   */
  verdict?: 'success' | 'retryable' | 'permanent';
  now: number;
  random: () => number;
}

/**
 * 2xx succeeds; 410 is gone; 429 and 503 with a valid Retry-After wait that
 * long (clamped); everything else (3xx, which is never followed, other 4xx and
 * 5xx, no response) follows the schedule until the policy's attempts run out.
 */
export function judgeAttempt(input: AttemptResult): AttemptVerdict {
  const { attemptNumber, policy, statusCode } = input;
  if (input.verdict === 'success') return { kind: 'succeeded' };
  if (input.verdict === 'permanent') return { kind: 'exhausted' };
  if (statusCode !== null && statusCode >= 200 && statusCode <= 299) return { kind: 'succeeded' };
  if (statusCode === 410) return { kind: 'gone' };
  if (statusCode === 429 || statusCode === 503) {
    const asked = parseRetryAfter(input.retryAfter, input.now);
    if (asked !== null) {
      if (attemptNumber >= policy.maxAttempts) return { kind: 'exhausted' };
      return { kind: 'retry', delayMs: Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, asked)) };
    }
  }
  const delayMs = retryDelayMs(attemptNumber, policy, input.random);
  return delayMs === null ? { kind: 'exhausted' } : { kind: 'retry', delayMs };
}
