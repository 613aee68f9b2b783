import { describe, expect, it } from 'vitest';
import { endpointReceives, filterDocument, type MatchableEvent } from '../../src/domain/matching.ts';
import type { Endpoint } from '../../src/domain/types.ts';

type Matchable = Pick<Endpoint, 'status' | 'eventTypes' | 'filter' | 'hasResources'>;

const endpoint = (overrides: Partial<Matchable> = {}): Matchable => ({
  status: 'active',
  eventTypes: null,
  filter: null,
  hasResources: false,
  ...overrides,
});

const event: MatchableEvent = {
  id: 'evt_1',
  type: 'sensor.reading',
  version: 2,
  resource: 'dev_42',
  data: { model: 'thermo', value: 21.5 },
  createdAt: Date.UTC(2026, 0, 15, 10, 0, 0),
};

describe('endpointReceives', () => {
  it('an endpoint with no conditions receives everything', () => {
    expect(endpointReceives(endpoint(), event, false)).toBe(true);
  });

  it('disabled endpoints receive nothing; paused and unverified ones do (their deliveries are parked)', () => {
    expect(endpointReceives(endpoint({ status: 'disabled' }), event, true)).toBe(false);
    expect(endpointReceives(endpoint({ status: 'paused' }), event, false)).toBe(true);
    expect(endpointReceives(endpoint({ status: 'pending_verification' }), event, false)).toBe(true);
  });

  it('applies event type patterns and version pins', () => {
    expect(endpointReceives(endpoint({ eventTypes: ['sensor.*'] }), event, false)).toBe(true);
    expect(endpointReceives(endpoint({ eventTypes: ['sensor.reading@2'] }), event, false)).toBe(true);
    expect(endpointReceives(endpoint({ eventTypes: ['sensor.reading@1'] }), event, false)).toBe(false);
    expect(endpointReceives(endpoint({ eventTypes: ['device.*'] }), event, false)).toBe(false);
    expect(endpointReceives(endpoint({ eventTypes: [] }), event, false)).toBe(false);
  });

  it('with resource subscriptions, receives only events for a subscribed resource', () => {
    const ep = endpoint({ hasResources: true });
    expect(endpointReceives(ep, event, true)).toBe(true);
    expect(endpointReceives(ep, event, false)).toBe(false);
    expect(endpointReceives(ep, { ...event, resource: null }, true)).toBe(false);
    // Without subscriptions the resource does not matter.
    expect(endpointReceives(endpoint(), { ...event, resource: null }, false)).toBe(true);
  });

  it('evaluates the filter over the event document', () => {
    expect(endpointReceives(endpoint({ filter: { 'data.model': { $in: ['thermo'] } } }), event, false)).toBe(
      true,
    );
    expect(endpointReceives(endpoint({ filter: { 'data.value': { $gt: 30 } } }), event, false)).toBe(false);
    expect(endpointReceives(endpoint({ filter: { resource: 'dev_42', version: 2 } }), event, false)).toBe(
      true,
    );
    expect(
      endpointReceives(
        endpoint({ filter: { timestamp: { $gte: '2026-01-15T10:00:00.000Z' } } }),
        event,
        false,
      ),
    ).toBe(true);
    expect(endpointReceives(endpoint({ filter: { id: 'evt_2' } }), event, false)).toBe(false);
  });

  it('requires every condition at once', () => {
    const ep = endpoint({ eventTypes: ['sensor.*'], hasResources: true, filter: { 'data.model': 'thermo' } });
    expect(endpointReceives(ep, event, true)).toBe(true);
    expect(endpointReceives(ep, { ...event, type: 'device.x' }, true)).toBe(false);
    expect(endpointReceives(ep, event, false)).toBe(false);
    expect(endpointReceives(ep, { ...event, data: { model: 'other' } }, true)).toBe(false);
  });
});

describe('filterDocument', () => {
  it('is the standard envelope with an ISO timestamp', () => {
    expect(filterDocument(event)).toEqual({
      id: 'evt_1',
      type: 'sensor.reading',
      version: 2,
      resource: 'dev_42',
      timestamp: '2026-01-15T10:00:00.000Z',
      data: { model: 'thermo', value: 21.5 },
    });
  });
});
