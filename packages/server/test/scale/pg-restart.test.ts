/**
 * Connection failure under load: Herald's PostgreSQL connections are killed
 * (pg_terminate_backend) and then the database "restarts" (a proxy in front
 * of it drops every connection and refuses new ones for a while). The same
 * processes must recover by themselves; the API answers 503 while it cannot
 * store, never 202; every event answered 202 is delivered.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, waitUntil } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { adminQuery, dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.ts';
import { type CountingReceiver, setupEndpoints, startCountingReceiver } from './load.ts';
import { type PgProxy, startPgProxy } from './proxy.ts';

const KEY = 'hk_test_admin_key_pg_restart_0001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!pgAvailable)('PostgreSQL connection failure under load', () => {
  const schema = uniqueSchema('restart');
  // Only this test's connections are terminated: other files share the server.
  const appName = `herald_${schema}`.slice(0, 63);
  let proxy: PgProxy | null = null;
  const processes: HeraldProcess[] = [];
  let receiver: CountingReceiver | null = null;
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  it('recovers without a restart, answers 503 (not 202) during the outage, loses nothing accepted', async () => {
    const target = new URL(PG_URL);
    proxy = await startPgProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    viaProxy.searchParams.set('schema', schema);
    viaProxy.searchParams.set('application_name', appName);
    const env = {
      HERALD_DATABASE_URL: viaProxy.toString(),
      HERALD_API_KEY: KEY,
      HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
      HERALD_LOG_LEVEL: 'info',
    };
    receiver = await startCountingReceiver();
    const api1 = await spawnHerald(env, ['start', '--role', 'all']);
    processes.push(api1);
    const worker = await spawnHerald(env, ['start', '--role', 'worker']);
    processes.push(worker);
    const api = apiClient(api1.url, KEY);
    await setupEndpoints(api, receiver, 4, { maxInFlight: 16 });

    const statuses = new Map<number, number>();
    const accepted: string[] = [];
    let n = 0;
    let loading = true;
    const sender = async () => {
      while (loading) {
        const i = n++;
        // A failed request (no HTTP answer at all) counts as status 0 and fails the test below.
        const res = await api
          .post('/v1/tenants/load/events', { type: `load.e${i % 4}`, data: { i } })
          .catch(() => ({ status: 0, body: null }));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 202) accepted.push(`/ep/${i % 4} ${res.body.id}`);
        else await sleep(20);
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    for (const p of processes) {
      void p.exited.then((code) => {
        if (loading) console.error(`a Herald process exited (${code}):\n${p.output().slice(-3000)}`);
      });
    }

    await sleep(700);
    for (let round = 0; round < 3; round++) {
      const killed = await adminQuery<{ pid: number }>(
        // MATERIALIZED: the filter runs first, so nothing but this test's connections is terminated.
        `WITH victims AS MATERIALIZED (
           SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid())
         SELECT pid FROM victims WHERE pg_terminate_backend(pid)`,
        [appName],
      );
      expect(killed.length).toBeGreaterThan(0);
      await sleep(400);
    }

    proxy.cut();
    await sleep(300);
    const during = await api.post('/v1/tenants/load/events', { type: 'load.e0', data: { during: true } });
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('unavailable');
    await sleep(1200);
    proxy.restore();

    await waitUntil('the API to accept events again', async () => {
      const res = await api.post('/v1/tenants/load/events', { type: 'load.e1', data: { after: true } });
      if (res.status === 202) accepted.push(`/ep/1 ${res.body.id}`);
      return res.status === 202;
    });
    await sleep(700);
    loading = false;
    await Promise.all(senders);

    const missing = () => accepted.filter((key) => !receiver!.counts.has(key));
    await waitUntil('every accepted event at its endpoint', () => missing().length === 0, 60_000);

    console.log(
      `[pg-restart] responses by status: ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `${accepted.length} accepted, all delivered; duplicates ${receiver.total() - receiver.counts.size}`,
    );
    expect(receiver.verified()).toEqual({ ok: receiver.total(), refused: 0 });
    expect([...statuses.keys()].every((s) => s === 202 || s === 503)).toBe(true);
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    // The same processes did it all: none exited.
    for (const p of [api1, worker]) {
      expect(p.child.exitCode, p.output().slice(-3000)).toBeNull();
      expect(p.child.signalCode, p.output().slice(-3000)).toBeNull();
    }
    // They noticed (and logged) the lost connections rather than hanging silently.
    expect(api1.output()).toMatch(
      /connection was lost|Connection terminated|terminating connection|LISTEN connection/,
    );
  }, 120_000);
});
