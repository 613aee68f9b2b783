import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, waitUntil } from '../helpers/api-client.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { startReceiver } from '../helpers/receiver.ts';

const KEY = 'hk_test_admin_key_crash_safety_0001';

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

    const accepted = new Set<string>();
    for (let batch = 0; batch < 5; batch++) {
      const events = Array.from({ length: 100 }, (_, i) => ({
        type: 'order.created',
        data: { n: batch * 100 + i },
      }));
      const res = await api.post('/v1/tenants/crash/events/batch', { events });
      expect(res.status).toBe(202);
      for (const e of res.body.data) accepted.add(e.id);
    }
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
});
