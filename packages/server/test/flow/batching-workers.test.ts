/**
 * Batching across processes: three worker processes and one API process
 * share one PostgreSQL database and one batching endpoint. Every event must
 * arrive in exactly one successful batch: none in two, none left behind,
 * even when some batches fail once and are retried.
 */
import { verifyStandardWebhook } from '@herald/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, waitUntil } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { adminQuery, dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const KEY = 'hk_test_admin_key_batching_workers_01';
const EVENTS = 6_000;
const MAX_SIZE = 100;

describe.skipIf(!pgAvailable)('batching with 3 workers on PostgreSQL', () => {
  const schema = uniqueSchema('batching');
  const env = {
    HERALD_DATABASE_URL: pgUrlFor(schema),
    HERALD_API_KEY: KEY,
    HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    // info: spawnHerald waits for the "Herald started" line.
    HERALD_LOG_LEVEL: 'info',
  };
  const processes: HeraldProcess[] = [];
  let receiver: Receiver | null = null;
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await receiver?.close();
    await dropSchema(schema);
  });

  it('puts each event in exactly one successful batch', async () => {
    let secret = '';
    const seenBatchIds = new Set<string>();
    // Every 5th batch fails its first attempt (and is retried 5 s later, by the default schedule).
    receiver = await startReceiver((req) => {
      const id = req.headers['webhook-id'] ?? '';
      const first = !seenBatchIds.has(id);
      seenBatchIds.add(id);
      return { status: first && seenBatchIds.size % 5 === 0 ? 503 : 200, delayMs: 5 };
    });
    const apiProcess = await spawnHerald(env, ['start', '--role', 'api']);
    processes.push(apiProcess);
    processes.push(
      ...(await Promise.all([0, 1, 2].map(() => spawnHerald(env, ['start', '--role', 'worker'])))),
    );
    const api = apiClient(apiProcess.url, KEY);

    expect((await api.post('/v1/tenants', { id: 'fleet', name: 'Fleet' })).status).toBe(201);
    const ep = await api.post('/v1/tenants/fleet/endpoints', {
      url: `${receiver.url}/batches`,
      batch: { maxSize: MAX_SIZE, maxWaitMs: 300 },
      maxInFlight: 4,
    });
    expect(ep.status).toBe(201);
    secret = ep.body.secret as string;

    const expected: string[] = [];
    // Two senders at once, so batches form while events are still arriving.
    await Promise.all(
      [0, 1].map(async (sender) => {
        for (let chunk = 0; chunk < EVENTS / 2 / 500; chunk++) {
          const events = Array.from({ length: 500 }, (_, i) => ({
            type: 'vehicle.position',
            data: { sender, chunk, i },
          }));
          const res = await api.post('/v1/tenants/fleet/events/batch', { events });
          expect(res.status).toBe(202);
          for (const e of res.body.data as { id: string }[]) expected.push(e.id);
        }
      }),
    );
    expect(new Set(expected).size).toBe(EVENTS);

    const pendingCount = async () =>
      (
        await adminQuery<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE status <> 'succeeded'`,
        )
      )[0]!.n;
    await waitUntil('every delivery succeeded', async () => (await pendingCount()) === 0, 45_000);

    // What the receiver got: the events of each successful request, signature checked.
    const delivered = new Map<string, string>();
    const successfulBatches = new Map<string, string[]>();
    for (const req of receiver.requests) {
      verifyStandardWebhook(secret, req.headers, req.body);
      const ids = (JSON.parse(req.body) as { id: string }[]).map((e) => e.id);
      expect(ids.length).toBeLessThanOrEqual(MAX_SIZE);
      const batchId = req.headers['webhook-id']!;
      const earlier = successfulBatches.get(batchId);
      // A retry carries exactly what the failed attempt carried.
      if (earlier) expect(ids).toEqual(earlier);
      successfulBatches.set(batchId, ids);
    }
    const failedOnce = receiver.requests.length - successfulBatches.size;
    expect(failedOnce).toBeGreaterThan(0);
    for (const [batchId, ids] of successfulBatches) {
      for (const id of ids) {
        expect(delivered.get(id), `event ${id} in two batches`).toBeUndefined();
        delivered.set(id, batchId);
      }
    }
    expect([...delivered.keys()].sort()).toEqual([...expected].sort());

    // The attempt log agrees: successful attempts carry every event once.
    const logged = await adminQuery<{ event_ids: string }>(
      `SELECT event_ids FROM "${schema}".attempts WHERE succeeded AND batch_id IS NOT NULL`,
    );
    const loggedIds = logged.flatMap((r) => JSON.parse(r.event_ids) as string[]);
    expect(loggedIds.length).toBe(EVENTS);
    expect(new Set(loggedIds).size).toBe(EVENTS);
  }, 60_000);
});
