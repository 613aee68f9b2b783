import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  judgeAttempt,
  parseRetryAfter,
  RETRY_AFTER_MAX_MS,
  RETRY_AFTER_MIN_MS,
  retryDelayMs,
} from '../../src/domain/retry.ts';

const mid = () => 0.5;
const low = () => 0;
const high = () => 0.999;
const policy = { maxAttempts: DEFAULT_MAX_ATTEMPTS };

describe('retryDelayMs', () => {
  it('follows the default schedule exactly with random() = 0.5', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, policy, mid));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(DEFAULT_MAX_ATTEMPTS).toBe(8);
  });

  it('jitters by at most ±20 %', () => {
    expect(retryDelayMs(1, policy, low)).toBe(4_000);
    expect(retryDelayMs(2, policy, low)).toBe(240_000);
    expect(retryDelayMs(1, policy, high)).toBe(Math.round(5_000 * (1 + 0.2 * (2 * 0.999 - 1))));
    for (let n = 1; n < 8; n++) {
      const base = DEFAULT_RETRY_SCHEDULE_SECONDS[n - 1]! * 1000;
      expect(retryDelayMs(n, policy, low)).toBe(base * 0.8);
      const top = retryDelayMs(n, policy, high)!;
      expect(top).toBeGreaterThan(base * 1.19);
      expect(top).toBeLessThan(base * 1.2);
    }
  });

  it('is exhausted at maxAttempts', () => {
    expect(retryDelayMs(7, policy, mid)).not.toBeNull();
    expect(retryDelayMs(8, policy, mid)).toBeNull();
    expect(retryDelayMs(9, policy, mid)).toBeNull();
    expect(retryDelayMs(1, { maxAttempts: 1 }, mid)).toBeNull();
    expect(retryDelayMs(2, { maxAttempts: 3 }, mid)).toBe(300_000);
    expect(retryDelayMs(3, { maxAttempts: 3 }, mid)).toBeNull();
  });

  it('uses a custom schedule and repeats its last entry', () => {
    const custom = { maxAttempts: 6, schedule: [1, 10] };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, custom, mid))).toEqual([
      1_000, 10_000, 10_000, 10_000, 10_000,
    ]);
    expect(retryDelayMs(6, custom, mid)).toBeNull();
    expect(retryDelayMs(1, { maxAttempts: 2, schedule: [0] }, high)).toBe(0);
  });

  it('repeats the last default entry past the schedule length', () => {
    expect(retryDelayMs(12, { maxAttempts: 20 }, mid)).toBe(36_000_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 10, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(86_400_000);
  });

  it('reads HTTP-dates in all three forms', () => {
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thursday, 15-Jan-26 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu Jan 15 10:00:05 2026', now)).toBe(5_000);
    expect(parseRetryAfter('Thu Jan  1 10:00:00 2026', Date.UTC(2026, 0, 1, 9, 59, 0))).toBe(60_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 14 Jan 2026 10:00:00 GMT', now)).toBe(0);
  });

  it.each([
    null,
    undefined,
    '',
    '   ',
    'soon',
    '-5',
    '1.5',
    '5s',
    '0x10',
    '1e3',
    '2026-01-15T10:00:30Z',
    'Thu, 15 Foo 2026 10:00:30 GMT',
    'Thu, 15 Jan 2026 25:00:30 GMT',
    'Thu, 15 Jan 2026 10:00:30',
    'Tue, 31 Feb 2026 10:00:30 GMT',
  ])('gives null for %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});

describe('judgeAttempt', () => {
  const now = Date.UTC(2026, 0, 15, 10, 0, 0);
  const judge = (statusCode: number | null, attemptNumber = 1, retryAfter?: string | null) =>
    judgeAttempt({ attemptNumber, policy, statusCode, retryAfter, now, random: mid });

  it('2xx succeeds, even on the last attempt', () => {
    for (const code of [200, 201, 202, 204, 299]) expect(judge(code)).toEqual({ kind: 'succeeded' });
    expect(judge(200, 8)).toEqual({ kind: 'succeeded' });
  });

  it('3xx is a failure retried on the schedule', () => {
    expect(judge(301)).toEqual({ kind: 'retry', delayMs: 5_000 });
    expect(judge(302, 2)).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(judge(307, 8)).toEqual({ kind: 'exhausted' });
  });

  it('410 is gone, whatever the attempt', () => {
    expect(judge(410)).toEqual({ kind: 'gone' });
    expect(judge(410, 8)).toEqual({ kind: 'gone' });
  });

  it('429 and 503 honour a valid Retry-After', () => {
    expect(judge(429, 1, '30')).toEqual({ kind: 'retry', delayMs: 30_000 });
    expect(judge(503, 3, 'Thu, 15 Jan 2026 10:02:00 GMT')).toEqual({ kind: 'retry', delayMs: 120_000 });
  });

  it('clamps Retry-After between 1 s and 1 h', () => {
    expect(judge(429, 1, '0')).toEqual({ kind: 'retry', delayMs: RETRY_AFTER_MIN_MS });
    expect(judge(503, 1, 'Wed, 14 Jan 2026 10:00:00 GMT')).toEqual({
      kind: 'retry',
      delayMs: RETRY_AFTER_MIN_MS,
    });
    expect(judge(429, 1, '999999')).toEqual({ kind: 'retry', delayMs: RETRY_AFTER_MAX_MS });
    expect(RETRY_AFTER_MIN_MS).toBe(1000);
    expect(RETRY_AFTER_MAX_MS).toBe(3_600_000);
  });

  it('429 and 503 without a usable Retry-After follow the schedule', () => {
    expect(judge(429, 2)).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(judge(503, 2, 'garbage')).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(judge(429, 1, null)).toEqual({ kind: 'retry', delayMs: 5_000 });
  });

  it('Retry-After does not extend past maxAttempts', () => {
    expect(judge(429, 8, '30')).toEqual({ kind: 'exhausted' });
    expect(judge(503, 8)).toEqual({ kind: 'exhausted' });
  });

  it('Retry-After is ignored on other statuses', () => {
    expect(judge(500, 1, '30')).toEqual({ kind: 'retry', delayMs: 5_000 });
  });

  it('4xx, 5xx and no response are retried until exhausted', () => {
    for (const code of [400, 401, 404, 408, 422, 500, 502, 504, null]) {
      expect(judge(code, 4)).toEqual({ kind: 'retry', delayMs: 7_200_000 });
      expect(judge(code, 8)).toEqual({ kind: 'exhausted' });
    }
  });

  it('applies jitter from random()', () => {
    expect(judgeAttempt({ attemptNumber: 1, policy, statusCode: 500, now, random: low })).toEqual({
      kind: 'retry',
      delayMs: 4_000,
    });
  });
});

describe('judgeAttempt with a broker verdict', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const judge = (verdict: 'success' | 'retryable' | 'permanent', attemptNumber = 1) =>
    judgeAttempt({ attemptNumber, policy, statusCode: null, verdict, now, random: () => 0.5 });

  it('succeeds on success without a status code', () => {
    expect(judge('success')).toEqual({ kind: 'succeeded' });
  });
  it('ends the delivery on a permanent refusal, even on the first attempt', () => {
    expect(judge('permanent')).toEqual({ kind: 'exhausted' });
  });
  it('follows the schedule on a retryable failure until the attempts run out', () => {
    expect(judge('retryable').kind).toBe('retry');
    expect(judge('retryable', DEFAULT_MAX_ATTEMPTS)).toEqual({ kind: 'exhausted' });
  });
});
