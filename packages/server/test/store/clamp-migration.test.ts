/**
 * An endpoint stored with an out-of-range maxBacklog before the API checked
 * it (1e20, a REAL in SQLite) blocked every event for it; migration 0009
 * caps it, so that tenant's ingest works again after the upgrade.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startHerald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { apiClient } from '../helpers/api-client.ts';

const KEY = 'hk_clamp_migration_admin_key_01';
const dir = mkdtempSync(join(tmpdir(), 'herald-clamp-'));
const file = join(dir, 'herald.db');
const config = loadConfig({ HERALD_DATABASE_URL: `sqlite:${file}`, HERALD_PORT: '0', HERALD_API_KEY: KEY });
const start = () => startHerald(config, { logger: pino({ level: 'silent' }), http: 'api' });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 0009: maxBacklog past the new maximum', () => {
  it('caps the stored value so events for that endpoint are accepted again', async () => {
    let herald = await start();
    let api = apiClient(herald.url!, KEY);
    expect((await api.post('/v1/tenants', { id: 'acme' })).status).toBe(201);
    const ep = await api.post('/v1/tenants/acme/endpoints', {
      url: 'https://example.com/hook',
      overflow: 'drop-oldest',
      maxBacklog: 100,
      status: 'paused',
    });
    expect(ep.status).toBe(201);
    await herald.stop();

    // As an older Herald stored it, and as if 0009 had not run yet.
    const db = new Database(file);
    db.prepare('UPDATE endpoints SET max_backlog = 1e20 WHERE id = ?').run(ep.body.id);
    db.prepare('DELETE FROM schema_migrations WHERE version = 9').run();
    db.close();

    herald = await start();
    api = apiClient(herald.url!, KEY);
    try {
      const sent = await api.post('/v1/tenants/acme/events', { type: 'device.enrolled', data: {} });
      expect(sent.status).toBe(202);
      expect((await api.get(`/v1/tenants/acme/endpoints/${ep.body.id}`)).body.maxBacklog).toBe(10_000_000);
    } finally {
      await herald.stop();
    }
  });
});
