/**
 * A split deployment as an orchestrator and Prometheus see it: an API process
 * and a worker process (the real `herald` bin) on one PostgreSQL database.
 * The worker serves only /healthz, /readyz and /metrics; its /metrics shows
 * the deliveries it made; anything else answers 404 in Herald's shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const KEY = 'hk_worker_probes_admin_key_0001';

describe.skipIf(!pgAvailable)('worker-role process: probes and metrics (PostgreSQL, two processes)', () => {
  const schema = uniqueSchema('probes');
  let receiver: Receiver;
  let apiProcess: HeraldProcess;
  let worker: HeraldProcess;

  beforeAll(async () => {
    receiver = await startReceiver();
    const env = {
      HERALD_DATABASE_URL: pgUrlFor(schema),
      HERALD_API_KEY: KEY,
      HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
      HERALD_HOST: '127.0.0.1',
    };
    apiProcess = await spawnHerald(env, ['start', '--role', 'api']);
    // Not on loopback-only defaults: /metrics needs the admin key here, as it would on a real host.
    worker = await spawnHerald({ ...env, HERALD_METRICS_PUBLIC: 'false' }, ['start', '--role', 'worker']);
  });

  afterAll(async () => {
    for (const p of [worker, apiProcess]) {
      p?.child.kill('SIGTERM');
      await p?.exited;
    }
    await receiver?.close();
    await dropSchema(schema);
  });

  it('announces where it listens, and answers the liveness and readiness probes', async () => {
    expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(worker.url).not.toBe(apiProcess.url);
    const health = await fetch(`${worker.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${worker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });

  it('serves nothing of the API: other paths are 404 in Herald’s error shape, with or without a key', async () => {
    for (const path of ['/v1/tenants', '/openapi.json', '/', '/portal']) {
      const res = await fetch(`${worker.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    expect((await fetch(`${worker.url}/v1/tenants`, { method: 'POST' })).status).toBe(404);
  });

  it('exposes the deliveries it made on /metrics, behind the admin key', async () => {
    const api = (path: string, body: unknown) =>
      fetch(`${apiProcess.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await api('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
    expect((await api('/v1/tenants/acme/endpoints', { url: `${receiver.url}/hook` })).status).toBe(201);
    for (let i = 0; i < 3; i++) {
      expect((await api('/v1/tenants/acme/events', { type: 'device.enrolled', data: { i } })).status).toBe(
        202,
      );
    }
    await receiver.waitFor(3, 20_000);

    const anonymous = await fetch(`${worker.url}/metrics`);
    expect(anonymous.status).toBe(401);
    // The worker records its attempts after it has sent them: scrape until the count shows.
    const succeeded = /^herald_deliveries_total\{outcome="succeeded"\} 3$/m;
    let text = '';
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      text = await res.text();
      if (succeeded.test(text)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toMatch(succeeded);
    expect(text).toMatch(/^herald_attempt_duration_seconds_count 3$/m);
    expect(text).toContain('herald_process_resident_memory_bytes');
  });
});
