/**
 * Scale-out: three worker processes and one API process share one
 * PostgreSQL database; one worker is killed (SIGKILL) mid-run. Every event
 * must still reach its endpoint, and the duplicates the kill causes are
 * bounded by what can be in flight at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, waitUntil } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { adminQuery, dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { type CountingReceiver, sendLoad, setupEndpoints, startCountingReceiver } from './load.ts';

const KEY = 'hk_test_admin_key_multi_process_0001';
const EVENTS = 20_000;
const ENDPOINTS = 20;
const MAX_IN_FLIGHT = 8;

describe.skipIf(!pgAvailable)('scale-out on PostgreSQL', () => {
  const schema = uniqueSchema('multi');
  const env = {
    HERALD_DATABASE_URL: pgUrlFor(schema),
    HERALD_API_KEY: KEY,
    HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    HERALD_WORKER_CONCURRENCY: '64',
    HERALD_LOG_LEVEL: 'warn',
  };
  const processes: HeraldProcess[] = [];
  let receiver: CountingReceiver | null = null;
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver?.close();
    await dropSchema(schema);
  });

  it('3 workers + 1 API, 20,000 events to 20 endpoints, one worker killed: all delivered', async () => {
    receiver = await startCountingReceiver();
    // The API process migrates the empty schema; the workers start after it.
    const apiProcess = await spawnHerald({ ...env, HERALD_LOG_LEVEL: 'info' }, ['start', '--role', 'api']);
    processes.push(apiProcess);
    const workers = await Promise.all(
      [0, 1, 2].map(() => spawnHerald({ ...env, HERALD_LOG_LEVEL: 'info' }, ['start', '--role', 'worker'])),
    );
    processes.push(...workers);
    const api = apiClient(apiProcess.url, KEY);
    await setupEndpoints(api, receiver, ENDPOINTS, { maxInFlight: MAX_IN_FLIGHT, timeoutMs: 1000 });

    const started = Date.now();
    const expected = await sendLoad(api, EVENTS, ENDPOINTS);
    expect(new Set(expected).size).toBe(EVENTS);

    await waitUntil('a quarter of the deliveries', () => receiver!.total() >= EVENTS / 4, 60_000);
    const [inFlight] = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE status = 'in_flight'`,
    );
    const victim = workers[0]!;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const receivedAtKill = receiver.total();
    expect(receivedAtKill).toBeLessThan(EVENTS); // the kill really interrupted the run

    const missing = () => expected.filter((key) => !receiver!.counts.has(key));
    await waitUntil('every event at its endpoint', () => missing().length === 0, 90_000);
    const elapsed = (Date.now() - started) / 1000;
    await waitUntil(
      'every delivery recorded as succeeded',
      async () =>
        (
          await adminQuery<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE status <> 'succeeded'`,
          )
        )[0]!.n === 0,
      30_000,
    );

    const duplicates = receiver.total() - receiver.counts.size;
    const [failed] = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".attempts WHERE NOT succeeded`,
    );
    console.log(
      `[scale] ${EVENTS} events to ${ENDPOINTS} endpoints by 3 workers (1 killed after ${receivedAtKill} requests): ` +
        `all delivered in ${elapsed.toFixed(1)} s; duplicates ${duplicates}; failed attempts ${failed?.n}; in flight read just before the kill: ${inFlight?.n}`,
    );
    expect(receiver.counts.size).toBe(EVENTS);
    // Every request, from whichever worker sent it, passes the Standard Webhooks library's own check.
    expect(receiver.verified()).toEqual({ ok: receiver.total(), refused: 0 });
    // Never more than ENDPOINTS × MAX_IN_FLIGHT are in flight at once, across all workers, so a
    // kill can repeat at most that many; in practice only the victim's share.
    expect(duplicates).toBeLessThanOrEqual(ENDPOINTS * MAX_IN_FLIGHT);
    // And the kill repeats at most what the victim held (its concurrency, 64: requests in flight
    // and answers not yet stored never add up to more). Other repeats are retries of attempts
    // that failed (on a busy machine, the 1 s timeout) after the receiver had the request.
    expect(duplicates).toBeLessThanOrEqual(64 + failed!.n);
  }, 150_000);
});
