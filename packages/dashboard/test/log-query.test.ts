/**
 * The delivery log's address: filters to and from the query string (what a
 * shared link or a reload restores), quick ranges counted back from now, and
 * the readable messages typed-in text gets before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import {
  checkFilters,
  eventTypeProblem,
  fromSearch,
  NO_FILTERS,
  statusCodeProblem,
  toApi,
  toSearch,
} from '../src/pages/log-query.ts';

const NOW = Date.parse('2026-01-15T12:00:00.000Z');
const parse = (q: string) => fromSearch(new URLSearchParams(q));

describe('the log filters in the address', () => {
  it('round-trips every filter, and leaves empty ones out', () => {
    const f = {
      ...NO_FILTERS,
      range: '1h' as const,
      eventType: 'order.*',
      status: 'failed' as const,
      statusCode: '5xx',
      errorKind: 'timeout' as const,
      trigger: 'all' as const,
      endpointId: 'ep_1',
      eventId: 'evt_1',
      requestId: 'req_01J',
    };
    const q = toSearch(f);
    expect(Object.fromEntries(new URLSearchParams(q))).toEqual({
      range: '1h',
      eventType: 'order.*',
      eventId: 'evt_1',
      requestId: 'req_01J',
      statusCode: '5xx',
      endpointId: 'ep_1',
      status: 'failed',
      errorKind: 'timeout',
      trigger: 'scheduled,manual,test',
    });
    expect(parse(q)).toEqual(f);
    expect(toSearch(NO_FILTERS)).toBe('');
  });

  it('keeps a custom range as ISO times, and drops values no control can show', () => {
    const f = parse('since=2026-01-15T10:00:00Z&until=2026-01-15T11:00:00.000Z&status=maybe&trigger=tests');
    expect(f).toMatchObject({ range: 'custom', since: '2026-01-15T10:00:00.000Z', status: '', trigger: '' });
    expect(toApi(f, NOW)).toEqual({ since: '2026-01-15T10:00:00.000Z', until: '2026-01-15T11:00:00.000Z' });
    expect(parse('since=yesterday').since).toBe('');
  });

  it('counts a quick range back from now, and sends lists as the API takes them', () => {
    expect(toApi(parse('range=15m'), NOW)).toEqual({ since: '2026-01-15T11:45:00.000Z' });
    expect(toApi(parse('range=7d&trigger=scheduled,manual,test'), NOW)).toEqual({
      since: '2026-01-08T12:00:00.000Z',
      trigger: ['scheduled', 'manual', 'test'],
    });
    expect(toApi(parse('eventType=%20order.*%20'), NOW)).toEqual({ eventType: 'order.*' });
  });
});

describe('typed-in text', () => {
  it('accepts types and patterns as endpoints subscribe with them', () => {
    for (const ok of ['order.created', 'order.*', '*.created', '*', 'blogPost.update', 'a-b_c.*.x']) {
      expect(eventTypeProblem(ok, []), ok).toBeNull();
    }
  });

  it('says what is wrong with anything else, in words', () => {
    expect(eventTypeProblem('timeout', [])).toMatch(/“timeout” is an error kind: choose it under Error kind/);
    expect(eventTypeProblem('failed', [])).toMatch(/under Status/);
    // A tenant's own type called so is a type.
    expect(eventTypeProblem('timeout', ['timeout'])).toBeNull();
    expect(eventTypeProblem('dev*', [])).toMatch(/stands for a whole segment/);
    expect(eventTypeProblem('ord[er', [])).toMatch(/is not an event type: use names separated by dots/);
    expect(eventTypeProblem('order.created@2', [])).toMatch(/not versions: remove “@2”/);
    expect(statusCodeProblem('timeout')).toMatch(/such as 404.*5xx.*Error kind/);
    expect(statusCodeProblem('5XX')).toBeNull();
    expect(statusCodeProblem('600')).toMatch(/such as 404/);
    const errors = checkFilters(
      {
        ...NO_FILTERS,
        requestId: 'req 1',
        eventId: 'evt/1',
        range: 'custom',
        since: '2026-01-15T12:00:00.000Z',
        until: '2026-01-15T11:00:00.000Z',
      },
      [],
    );
    expect(Object.keys(errors).sort()).toEqual(['eventId', 'requestId', 'until']);
    expect(errors.until).toMatch(/before “From”/);
    for (const message of Object.values(errors)) expect(message).not.toMatch(/\^|\$|\[/);
  });
});
