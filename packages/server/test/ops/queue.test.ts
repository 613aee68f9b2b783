/** GET /v1/queue: the backlog and the age of the oldest due delivery, for admins only. */
import { describe, expect, it } from 'vitest';
import { startApi } from '../api/harness.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { completion } from '../store/contract-fixtures.ts';

describe('GET /v1/queue', () => {
  it('reports an empty queue as zero with no oldest delivery', async () => {
    const h = await startApi();
    try {
      const res = await h.call('GET', '/v1/queue');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        pending: 0,
        inFlight: 0,
        oldestPendingAt: null,
        oldestPendingAgeSeconds: 0,
      });
    } finally {
      await h.close();
    }
  });

  it('counts pending and in-flight deliveries and ages the oldest due one by the clock', async () => {
    const h = await startApi();
    try {
      const { token } = await h.tenant('acme');
      const now = h.clock.now;
      const ep = await h.store.createEndpoint(makeEndpoint('acme', 'https://example.com/a', {}, now));
      for (let i = 0; i < 4; i++) await insertEvent(h.store, 'acme', [ep.id], now);
      const claimed = await h.store.claimDeliveries({ owner: 'w', limit: 2, leaseMs: 60_000, now });
      // One finished, one claimed and still in flight, two waiting since `now`.
      await h.store.completeDeliveries([completion(claimed[0]!, 'w', { status: 'succeeded' }, { now })], now);
      h.clock.now = now + 90_000;

      const res = await h.call('GET', '/v1/queue');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        pending: 2,
        inFlight: 1,
        oldestPendingAt: new Date(now).toISOString(),
        oldestPendingAgeSeconds: 90,
      });

      // Across all tenants, so a tenant token may not read it.
      expect((await h.call('GET', '/v1/queue', undefined, { key: token })).status).toBe(403);
      expect((await h.call('GET', '/v1/queue', undefined, { key: null })).status).toBe(401);
    } finally {
      await h.close();
    }
  });
});
