/**
 * The probe-only server of a worker-role process, in-process on SQLite:
 * readiness follows the database, liveness does not, and `/metrics` is
 * public only when configured so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type HeraldInstance, startHerald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

const KEY = 'hk_probe_test_admin_key_000001';
const started: { herald: HeraldInstance; dir: string }[] = [];

async function startWorker(env: Record<string, string> = {}): Promise<HeraldInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-probes-'));
  const config = loadConfig({
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_PORT: '0',
    HERALD_API_KEY: KEY,
    HERALD_ROLE: 'worker',
    ...env,
  });
  const herald = await startHerald(config, { logger: pino({ level: 'silent' }) });
  started.push({ herald, dir });
  return herald;
}

afterEach(async () => {
  for (const { herald, dir } of started.splice(0)) {
    await herald.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('worker-role probes', () => {
  it('listens and delivers; readiness fails when the database does, liveness does not', async () => {
    const herald = await startWorker();
    expect(herald.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(herald.dispatcher).not.toBeNull();
    expect((await fetch(`${herald.url}/readyz`)).status).toBe(200);
    await herald.store.close();
    const ready = await fetch(`${herald.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await fetch(`${herald.url}/healthz`)).status).toBe(200);
  });

  it('serves /metrics without a key when configured public (the default on loopback)', async () => {
    const herald = await startWorker();
    const res = await fetch(`${herald.url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^herald_deliveries_total\{outcome="succeeded"\} 0$/m);
  });

  it('needs the admin key for /metrics otherwise, and refuses a tenant-less wrong key', async () => {
    const herald = await startWorker({ HERALD_METRICS_PUBLIC: 'false' });
    expect((await fetch(`${herald.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${herald.url}/metrics`, {
      headers: { authorization: 'Bearer hk_wrong_key_000000000' },
    });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${herald.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status).toBe(200);
  });

  it('says which variable to change when its port is taken', async () => {
    const first = await startWorker();
    const port = new URL(first.url!).port;
    await expect(startWorker({ HERALD_PORT: port })).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('give each process on this host its own HERALD_PORT'),
    });
  });
});
