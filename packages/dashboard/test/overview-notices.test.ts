/** The overview's notice rules: what needs a person, and where each notice leads. */
import { describe, expect, it } from 'vitest';
import type { EndpointHealth, Stats } from '../../sdk/src/client/index.ts';
import { noticesOf, type TenantHealth } from '../src/pages/overview-notices.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function health(overrides: Partial<EndpointHealth> = {}): EndpointHealth {
  return {
    endpointId: 'ep_1',
    name: 'orders',
    url: 'https://example.com/in',
    status: 'active',
    circuit: { state: 'closed', since: null, nextProbeAt: null, failures: 0, failingSince: null },
    lastAttemptAt: null,
    lastError: null,
    nextAttemptAt: null,
    pending: 0,
    inFlight: 0,
    exhausted: 0,
    oldestPendingAt: null,
    last24h: { attempts: 0, succeeded: 0, failed: 0 },
    successRate24h: null,
    blocked: null,
    ...overrides,
  };
}

const bucket = (failed: number, succeeded: number) => ({
  start: iso(NOW),
  attempts: failed + succeeded,
  succeeded,
  failed,
  dropped: 0,
  statusClasses: { '2xx': succeeded, '3xx': 0, '4xx': 0, '5xx': failed, none: 0 },
  latencyMs: { p50: null, p95: null, p99: null, mean: null },
});

function tenant(endpoints: EndpointHealth[], hour = bucket(0, 0)): TenantHealth {
  const stats: Stats = {
    since: iso(NOW - 3_600_000),
    until: iso(NOW),
    bucket: '1m',
    buckets: [hour],
    totals: hour,
  };
  return {
    tenant: { id: 'acme', name: 'Acme', metadata: {}, createdAt: iso(0), updatedAt: iso(0) },
    health: endpoints,
    stats,
  };
}

describe('overview notices', () => {
  it('says nothing about a healthy tenant', () => {
    expect(
      noticesOf(
        [
          tenant(
            [health({ last24h: { attempts: 50, succeeded: 50, failed: 0 }, successRate24h: 1 })],
            bucket(0, 5),
          ),
        ],
        NOW,
      ),
    ).toEqual([]);
  });

  it('names an open circuit first, with its next probe, linking to the subscription', () => {
    const open = health({
      circuit: {
        state: 'open',
        since: iso(NOW - 60_000),
        nextProbeAt: iso(NOW + 60_000),
        failures: 5,
        failingSince: iso(NOW - 60_000),
      },
      lastError: { kind: 'http_status', message: 'the endpoint answered 500', statusCode: 500, at: iso(NOW) },
      pending: 8,
      oldestPendingAt: iso(NOW - 15 * 60_000),
      exhausted: 2,
      blocked: { reason: 'circuit_open', action: 'reset_circuit', message: '' },
    });
    const notices = noticesOf([tenant([open], bucket(3, 0))], NOW);
    expect(notices.map((n) => n.kind)).toEqual(['circuit', 'backlog', 'exhausted', 'tenant']);
    expect(notices[0]).toMatchObject({
      to: '/tenants/acme/subscriptions/ep_1',
      action: 'Reset circuit or retry now',
    });
    expect(notices[0]!.text).toContain('5 attempts in a row failed (the endpoint answered 500)');
    expect(notices[0]!.text).toContain('next probe');
    expect(notices[1]!.text).toContain('8 deliveries to orders (Acme) pending, the oldest for 15 min');
    expect(notices[2]!.text).toBe('2 deliveries to orders (Acme) used up their retries.');
    expect(notices[3]).toMatchObject({ to: '/tenants/acme/log' });
  });

  it('flags a failing endpoint, a low success rate and a disabled one, but not a young backlog', () => {
    const failing = health({
      endpointId: 'ep_f',
      circuit: { state: 'closed', since: null, nextProbeAt: null, failures: 1, failingSince: iso(NOW) },
    });
    const low = health({
      endpointId: 'ep_l',
      last24h: { attempts: 20, succeeded: 10, failed: 10 },
      successRate24h: 0.5,
    });
    const off = health({ endpointId: 'ep_d', status: 'disabled' });
    const young = health({ endpointId: 'ep_y', pending: 3, oldestPendingAt: iso(NOW - 60_000) });
    const kinds = noticesOf([tenant([failing, low, off, young])], NOW).map(
      (n) => `${n.kind} ${n.key.split(' ')[1]}`,
    );
    expect(kinds).toEqual(['disabled ep_d', 'failing ep_f', 'failing ep_l']);
  });
});
