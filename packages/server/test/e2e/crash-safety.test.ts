import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiClient, apiClient, waitUntil } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { brokerFixtures } from './broker-consumers.ts';

const KEY = 'hk_test_admin_key_crash_safety_0001';

/** Sends `batches` batches of 100 events to tenant `crash`; the ids accepted. */
async function sendBatches(api: ApiClient, batches: number): Promise<Set<string>> {
  const accepted = new Set<string>();
  for (let batch = 0; batch < batches; batch++) {
    const events = Array.from({ length: 100 }, (_, i) => ({
      type: 'order.created',
      data: { n: batch * 100 + i },
    }));
    const res = await api.post('/v1/tenants/crash/events/batch', { events });
    expect(res.status).toBe(202);
    for (const e of res.body.data) accepted.add(e.id);
  }
  return accepted;
}

describe('crash safety (kill -9 with deliveries in flight)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-crash-'));
  const env = {
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_API_KEY: KEY,
    HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    // Through the sender thread: the same guarantee must hold with requests in flight in another thread.
    HERALD_SENDER_THREAD: 'true',
  };
  let herald: HeraldProcess | null = null;
  afterAll(async () => {
    herald?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every accepted event at least once after a restart', async () => {
    // A slow receiver keeps many deliveries in flight when the process dies.
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 40 }));
    herald = await spawnHerald(env);
    const api = apiClient(herald.url, KEY);
    expect((await api.post('/v1/tenants', { id: 'crash', name: 'Crash test' })).status).toBe(201);
    const ep = await api.post('/v1/tenants/crash/endpoints', {
      url: `${receiver.url}/hook`,
      timeoutMs: 1000,
      maxInFlight: 20,
    });
    expect(ep.status).toBe(201);

    const accepted = await sendBatches(api, 5);
    expect(accepted.size).toBe(500);

    await waitUntil('some deliveries to arrive', () => receiver.requests.length >= 50);
    herald.child.kill('SIGKILL');
    expect(await herald.exited).toBe('SIGKILL');
    const beforeRestart = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    expect(beforeRestart.size).toBeLessThan(500); // the kill really interrupted the run

    herald = await spawnHerald(env);
    await waitUntil(
      'every accepted event to be received',
      () => new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size === accepted.size,
      60_000,
    );
    const received = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    for (const id of accepted) expect(received.has(id)).toBe(true);
    const duplicates = receiver.requests.length - received.size;
    // Only requests that were in flight at the kill can arrive twice.
    expect(duplicates).toBeLessThanOrEqual(20);

    herald.child.kill('SIGTERM');
    expect(await herald.exited).toBe(0);
    herald = null;
    await receiver.close();
  });

  it('publishes every accepted event to RabbitMQ at least once after a kill -9', async () => {
    const rabbit = brokerFixtures().find((f) => f.kind === 'amqp')!;
    const consumer = await rabbit.consume();
    const brokerEnv = { ...env, HERALD_DATABASE_URL: `sqlite:${join(dir, 'broker.db')}` };
    const received = async () => new Set((await consumer.messages()).map((m) => m.headers['webhook-id']));
    try {
      herald = await spawnHerald(brokerEnv);
      const api = apiClient(herald.url, KEY);
      expect((await api.post('/v1/tenants', { id: 'crash', name: 'Crash test' })).status).toBe(201);
      const ep = await api.post('/v1/tenants/crash/endpoints', {
        url: rabbit.url(rabbit.port),
        destination: rabbit.destination,
        maxInFlight: 20,
      });
      expect(ep.status, JSON.stringify(ep.body)).toBe(201);
      const accepted = await sendBatches(api, 30);
      await waitUntil('some messages to arrive', async () => (await received()).size >= 100);
      herald.child.kill('SIGKILL');
      expect(await herald.exited).toBe('SIGKILL');
      expect((await received()).size).toBeLessThan(accepted.size); // the kill really interrupted the run

      herald = await spawnHerald(brokerEnv);
      await waitUntil(
        'every accepted event on the queue',
        async () => (await received()).size === accepted.size,
        60_000,
      );
      const got = await received();
      for (const id of accepted) expect(got.has(id)).toBe(true);
      herald.child.kill('SIGTERM');
      expect(await herald.exited).toBe(0);
      herald = null;
    } finally {
      await consumer.close();
    }
  });
});
