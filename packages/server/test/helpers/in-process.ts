import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type HeraldInstance, startHerald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type ApiClient, apiClient } from './api-client.ts';

export const TEST_ADMIN_KEY = 'hk_test_admin_key_in_process_0001';

/** A real Herald (API + worker) on a temp SQLite file, listening on a free loopback port. */
export async function startTestHerald(env: Record<string, string> = {}): Promise<{
  herald: HeraldInstance;
  api: ApiClient;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
  const config = loadConfig({
    HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
    HERALD_PORT: '0',
    HERALD_API_KEY: TEST_ADMIN_KEY,
    HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
    ...env,
  });
  const herald = await startHerald(config, { logger: pino({ level: 'silent' }) });
  return {
    herald,
    api: apiClient(herald.url!, TEST_ADMIN_KEY),
    async close() {
      await herald.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
