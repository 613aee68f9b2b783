/** The log's event type filter matches exactly as an endpoint's subscription pattern does. */
import { describe, expect, it } from 'vitest';
import { logTypeMatch, prefixEnd } from '../../src/domain/log-type-pattern.ts';
import { matchesEventType } from '../../src/domain/patterns.ts';

const TYPES = [
  'order',
  'order.created',
  'order.paid',
  'order.refund.created',
  'orders.created',
  'user.created',
  'user.profile.created',
  'a-b_c.x-y',
  'blogPost.update',
];
const PATTERNS = [
  'order',
  'order.*',
  '*.created',
  'order.*.created',
  '*.*',
  '*',
  '*.*.created',
  'user.*',
  'a-b_c.*',
  'orde.*',
];

function matches(pattern: string, type: string): boolean {
  const m = logTypeMatch(pattern);
  if (typeof m === 'string') throw new Error(m);
  if (m.kind === 'any') return true;
  if (m.kind === 'exact') return m.type === type;
  const inRange = m.prefix === '' || (type >= m.prefix && type < prefixEnd(m.prefix));
  return inRange && new RegExp(m.regexp).test(type);
}

describe('the log event type filter', () => {
  it('matches what an endpoint subscribed with the same pattern receives', () => {
    for (const pattern of PATTERNS) {
      for (const type of TYPES) {
        expect(matches(pattern, type), `${pattern} ~ ${type}`).toBe(matchesEventType([pattern], type, 1));
      }
    }
  });

  it('refuses what is no pattern, and version pins, with a message', () => {
    for (const bad of ['', 'ord[er', 'order.', '.order', 'dev*', 'a..b', 'order created', 'x'.repeat(141)]) {
      expect(typeof logTypeMatch(bad), bad).toBe('string');
    }
    expect(logTypeMatch('sensor.reading@2')).toMatch(/pins a version.*'sensor\.reading'/);
  });

  it("bounds a prefix's range by raising its last character", () => {
    expect(prefixEnd('order.')).toBe('order/');
    expect(prefixEnd('req_01')).toBe('req_02');
  });
});
