import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const EVENTS = 1000;

describe('end to end over loopback HTTP: 1,000 events to 3 endpoints', () => {
  let env: Awaited<ReturnType<typeof startTestHerald>>;
  beforeAll(async () => {
    env = await startTestHerald();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('delivers every event to every endpoint, retries the flaky one, and the slow one holds nobody up', async () => {
    const { api } = env;
    const healthy = await startReceiver(() => ({ status: 200 }));
    // Fails every other request it gets.
    const flakyOk = new Set<string>();
    const flaky = await startReceiver((req, index) => {
      if (index % 2 === 0) return { status: 500 };
      flakyOk.add(req.headers['webhook-id']!);
      return { status: 200 };
    });
    const slow = await startReceiver(() => ({ status: 200, delayMs: 50 }));

    expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
    const make = (url: string, extra: object = {}) =>
      api.post('/v1/tenants/acme/endpoints', { url: `${url}/hooks`, ...extra });
    expect((await make(healthy.url)).status).toBe(201);
    const flakyEp = await make(flaky.url, { retry: { maxAttempts: 30, schedule: [1] } });
    expect(flakyEp.status).toBe(201);
    expect((await make(slow.url, { maxInFlight: 4 })).status).toBe(201);

    const started = Date.now();
    const accepted: string[] = [];
    for (let offset = 0; offset < EVENTS; offset += 250) {
      const events = Array.from({ length: 250 }, (_, i) => ({
        type: 'order.created',
        data: { orderId: `o-${offset + i}`, total: 42.5, lines: [{ sku: 'A-1', qty: 2 }] },
      }));
      const res = await api.post('/v1/tenants/acme/events/batch', { events });
      expect(res.status).toBe(202);
      for (const e of res.body.data) {
        expect(e.deliveries).toHaveLength(3);
        accepted.push(e.id);
      }
    }

    const ids = (r: typeof healthy) => new Set(r.requests.map((q) => q.headers['webhook-id']));
    await waitUntil('the healthy endpoint to get every event', () => ids(healthy).size === EVENTS);
    const healthyDoneAt = Date.now();
    // The slow endpoint (4 in flight, 50 ms each: ≤ 80 requests/s) is far from done
    // when the healthy one has everything: it did not hold the healthy one back.
    expect(ids(slow).size).toBeLessThan(EVENTS);

    await waitUntil('the flaky endpoint to accept every event', () => flakyOk.size === EVENTS, 60_000);
    await waitUntil('the slow endpoint to get every event', () => ids(slow).size === EVENTS, 60_000);
    const elapsed = Date.now() - started;
    for (const got of [ids(healthy), flakyOk, ids(slow)]) {
      for (const id of accepted) expect(got.has(id)).toBe(true);
    }

    // Retries are in the log: the flaky endpoint's failed attempts are recorded.
    const failed = await api.get(
      `/v1/tenants/acme/attempts?endpointId=${flakyEp.body.id}&status=failed&limit=5`,
    );
    expect(failed.status).toBe(200);
    expect(failed.body.data.length).toBeGreaterThan(0);
    expect(failed.body.data[0].responseStatus).toBe(500);
    // Results reach the log a moment after the receiver answered (group commit).
    const summaryPath = `/v1/tenants/acme/attempts/summary?endpointId=${flakyEp.body.id}`;
    await waitUntil(
      'every success to be logged',
      async () => (await api.get(summaryPath)).body.succeeded === EVENTS,
    );
    const summary = await api.get(summaryPath);
    expect(summary.body.succeeded).toBe(EVENTS);
    expect(summary.body.failed).toBeGreaterThanOrEqual(EVENTS / 2 - 1);
    expect(summary.body.pending).toBe(0);

    console.log(
      `[measure] 1,000 events × 3 endpoints: healthy endpoint done in ${healthyDoneAt - started} ms ` +
        `(${Math.round((EVENTS * 1000) / (healthyDoneAt - started))} events/s), all done in ${elapsed} ms`,
    );
    await Promise.all([healthy.close(), flaky.close(), slow.close()]);
  });
});
