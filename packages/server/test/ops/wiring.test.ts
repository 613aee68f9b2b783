/** The composition root runs the job runner and serves /metrics: a recover job over real HTTP. */
import { describe, expect, it } from 'vitest';
import { startTestHerald, TEST_ADMIN_KEY } from '../helpers/in-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

describe('Herald with operations wired in', () => {
  it('runs a recover job in the background and counts the deliveries in /metrics', async () => {
    let healthy = false;
    const receiver = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    const { herald, close } = await startTestHerald();
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${herald.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
    };
    try {
      expect((await call('POST', '/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
      const ep = await call('POST', '/v1/tenants/acme/endpoints', {
        url: `${receiver.url}/hook`,
        retry: { maxAttempts: 1 },
      });
      expect(ep.status).toBe(201);
      const since = new Date().toISOString();
      expect(
        (await call('POST', '/v1/tenants/acme/events', { type: 'order.created', data: { n: 1 } })).status,
      ).toBe(202);
      await receiver.waitFor(1);
      for (let i = 0; i < 100; i++) {
        const failed = (await call('GET', '/v1/tenants/acme/attempts/summary')).json;
        if (failed.failed === 1 && failed.pending === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }

      healthy = true;
      const job = await call('POST', `/v1/tenants/acme/endpoints/${ep.json.id}/recover`, { since });
      expect(job.status).toBe(202);
      await receiver.waitFor(2, 10_000);
      let status = '';
      for (let i = 0; i < 100 && status !== 'succeeded'; i++) {
        status = (await call('GET', `/v1/tenants/acme/jobs/${job.json.job.id}`)).json.status;
        if (status !== 'succeeded') await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe('succeeded');

      // Listening on 127.0.0.1, /metrics needs no key by default. The receiver has the
      // request before Herald has stored its result: poll until the count shows it.
      let text = '';
      for (let i = 0; i < 100 && !/outcome="succeeded"\} 1/.test(text); i++) {
        const metrics = await fetch(`${herald.url}/metrics`);
        expect(metrics.status).toBe(200);
        text = await metrics.text();
        if (!/outcome="succeeded"\} 1/.test(text)) await new Promise((r) => setTimeout(r, 20));
      }
      expect(text).toContain('herald_events_accepted_total 1');
      expect(text).toContain('herald_deliveries_total{outcome="failed"} 1');
      expect(text).toMatch(/herald_deliveries_total\{outcome="succeeded"\} 1/);
    } finally {
      await close();
      await receiver.close();
    }
  }, 30_000);
});
