/**
 * Endpoint health and its actions on both stores: the circuit as it opens
 * (since when, next probe, consecutive failures), last error, backlog and
 * next attempt; reset circuit and retry now; another tenant's ids are 404s.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COOLDOWN_MS,
  claim,
  createEndpoint,
  failDeliveries,
  lowThresholds,
  SECOND,
} from './health-fixtures.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe.each(API_STORE_KINDS)('endpoint health on $name', (kind) => {
  let h: StoreApi;
  let eid: string;
  const base = () => `/v1/tenants/acme/endpoints/${eid}`;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    lowThresholds(h.store);
    await h.tenant('acme');
    await h.tenant('globex');
    eid = await createEndpoint(h, 'acme', { name: 'Orders', retry: { maxAttempts: 10, schedule: [1] } });
  });
  afterEach(async () => h?.close());

  it.skipIf(kind.skip)('answers a quiet endpoint: closed, nothing pending, no rate yet', async () => {
    const res = await h.call('GET', `${base()}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      endpointId: eid,
      name: 'Orders',
      url: 'https://hooks.example.com/in',
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
    });
  });

  it.skipIf(kind.skip)(
    'shows the circuit opening, the last error and the probe as the next attempt',
    async () => {
      const t0 = h.clock.now;
      await failDeliveries(h, 'acme', eid, 2);
      // The claim holds them back behind the open circuit.
      h.clock.now += 2 * SECOND;
      expect(await claim(h)).toEqual([]);

      const res = await h.call('GET', `${base()}/health`);
      expect(res.body).toMatchObject({
        circuit: {
          state: 'open',
          since: iso(t0),
          nextProbeAt: iso(t0 + COOLDOWN_MS),
          failures: 2,
          failingSince: iso(t0),
        },
        lastAttemptAt: iso(t0),
        lastError: {
          kind: 'http_status',
          message: 'the endpoint answered 500',
          statusCode: 500,
          at: iso(t0),
        },
        nextAttemptAt: iso(t0 + COOLDOWN_MS),
        pending: 2,
        oldestPendingAt: iso(t0),
        last24h: { attempts: 2, succeeded: 0, failed: 2 },
        successRate24h: 0,
        blocked: { reason: 'circuit_open', action: 'reset_circuit' },
      });
      expect(res.body.blocked.message).toContain(`the next probe is at ${iso(t0 + COOLDOWN_MS)}`);

      // The list: one page, the same answer per endpoint, another endpoint healthy.
      const quiet = await createEndpoint(h, 'acme', { name: 'Quiet' });
      const list = await h.call('GET', '/v1/tenants/acme/endpoints/health');
      expect(list.status).toBe(200);
      expect(list.body.nextCursor).toBeNull();
      expect(list.body.data.map((e: { endpointId: string }) => e.endpointId)).toEqual([quiet, eid]);
      expect(list.body.data[1]).toEqual(res.body);
      expect(list.body.data[0]).toMatchObject({ circuit: { state: 'closed' }, blocked: null, pending: 0 });
      const paged = await h.call('GET', '/v1/tenants/acme/endpoints/health?limit=1');
      expect(paged.body.data).toHaveLength(1);
      const next = await h.call(
        'GET',
        `/v1/tenants/acme/endpoints/health?limit=1&cursor=${paged.body.nextCursor}`,
      );
      expect(next.body.data[0].endpointId).toBe(eid);
      // The endpoint itself still carries its circuit summary, as before.
      const endpoint = await h.call('GET', base());
      expect(endpoint.body.circuit).toEqual({ state: 'open', failures: 2, openedAt: iso(t0) });
    },
  );

  it.skipIf(kind.skip)(
    'resets the circuit: held-back deliveries are due at once and go as one batch',
    async () => {
      await failDeliveries(h, 'acme', eid, 2);
      h.clock.now += 2 * SECOND;
      expect(await claim(h)).toEqual([]);

      const res = await h.call('POST', `${base()}/circuit/reset`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        previous: { state: 'open', failures: 2 },
        due: 2,
        queued: 2,
        notQueued: [],
        health: { circuit: { state: 'closed', failures: 0, nextProbeAt: null }, blocked: null, pending: 2 },
      });
      // How long it has failed is kept, for auto-disable.
      expect(res.body.health.circuit.failingSince).not.toBeNull();
      const claimed = await claim(h);
      expect(claimed).toHaveLength(2);
      // Resetting a closed circuit is harmless.
      const again = await h.call('POST', `${base()}/circuit/reset`);
      expect(again.status).toBe(200);
      expect(again.body.previous.state).toBe('closed');
    },
  );

  it.skipIf(kind.skip)('retry now makes a waiting retry due at once, as a manual attempt', async () => {
    await failDeliveries(h, 'acme', eid, 1, 3_600 * SECOND);
    h.clock.now += SECOND;
    expect(await claim(h)).toEqual([]);
    const health = await h.call('GET', `${base()}/health`);
    expect(health.body.nextAttemptAt).toBe(iso(h.clock.now - SECOND + 3_600 * SECOND));

    const res = await h.call('POST', `${base()}/retry-now`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      moved: 1,
      queued: 1,
      notQueued: [],
      health: { nextAttemptAt: iso(h.clock.now) },
    });
    const claimed = await claim(h);
    expect(claimed.map((c) => c.trigger)).toEqual(['manual']);
  });

  it.skipIf(kind.skip)('retry now behind an open circuit says so, and offers the reset', async () => {
    await failDeliveries(h, 'acme', eid, 2);
    const res = await h.call('POST', `${base()}/retry-now`);
    expect(res.body.queued).toBe(0);
    expect(res.body.notQueued).toEqual([
      expect.objectContaining({
        reason: 'circuit_open',
        count: 2,
        endpointId: eid,
        endpointName: 'Orders',
        action: 'reset_circuit',
      }),
    ]);
  });

  it.skipIf(kind.skip)(
    'a paused endpoint: retry now leaves parked deliveries parked and names the pause',
    async () => {
      await failDeliveries(h, 'acme', eid, 1);
      await h.call('PATCH', base(), { status: 'paused' });
      h.clock.now += 2 * SECOND;
      await claim(h); // parks the due delivery
      const res = await h.call('POST', `${base()}/retry-now`);
      expect(res.body).toMatchObject({ moved: 0, queued: 0 });
      expect(res.body.notQueued[0]).toMatchObject({
        reason: 'endpoint_paused',
        count: 1,
        action: 'resume_endpoint',
      });
      const health = await h.call('GET', `${base()}/health`);
      expect(health.body).toMatchObject({
        nextAttemptAt: null,
        pending: 1,
        blocked: { reason: 'endpoint_paused' },
      });
    },
  );

  it.skipIf(kind.skip)(
    "answers 404 for another tenant's endpoint and for unknown ids, changing nothing",
    async () => {
      await failDeliveries(h, 'acme', eid, 2);
      const globex = await h.tenant('initech');
      for (const [method, path] of [
        ['GET', 'health'],
        ['POST', 'circuit/reset'],
        ['POST', 'retry-now'],
      ] as const) {
        expectError(await h.call(method, `/v1/tenants/globex/endpoints/${eid}/${path}`), 404, 'not_found');
        expectError(await h.call(method, `/v1/tenants/acme/endpoints/ep_nope/${path}`), 404, 'not_found');
        expectError(await h.call(method, `/v1/tenants/nope/endpoints/${eid}/${path}`), 404, 'not_found');
        // A tenant token of another tenant: 404 too, never 403.
        const other = await h.call(method, `/v1/tenants/acme/endpoints/${eid}/${path}`, undefined, {
          key: globex.token,
        });
        expectError(other, 404, 'not_found');
      }
      expectError(await h.call('GET', '/v1/tenants/nope/endpoints/health'), 404, 'not_found');
      const list = await h.call('GET', '/v1/tenants/globex/endpoints/health');
      expect(list.body.data).toEqual([]);
      expect((await h.call('GET', `${base()}/health`)).body.circuit.state).toBe('open');
      // Bad paging input is a 4xx naming the field.
      expectError(await h.call('GET', '/v1/tenants/acme/endpoints/health?limit=0'), 422, 'validation_failed');
    },
  );
});
