/**
 * Secrets at rest and in logs: the SQLite database (endpoint secrets, every
 * payload) and its WAL are the owner's alone, and request logs never hold a
 * key, whether it came in the Authorization header or in a query string.
 */
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startHerald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

const KEY = 'hk_at_rest_test_admin_key_00001';
const dirs: string[] = [];
const mode = (path: string) => statSync(path).mode & 0o777;

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(dbPath: string, lines: string[] = []) {
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const config = loadConfig({
    HERALD_DATABASE_URL: `sqlite:${dbPath}`,
    HERALD_PORT: '0',
    HERALD_API_KEY: KEY,
  });
  return startHerald(config, { logger });
}

describe('at rest', () => {
  it('creates the database, its WAL and its directory for the owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-rest-'));
    dirs.push(dir);
    const db = join(dir, 'data', 'herald.db');
    const herald = await start(db);
    try {
      const api = (path: string, body: unknown) =>
        fetch(`${herald.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await api('/v1/tenants', { id: 'acme' })).status).toBe(201);
      expect(mode(join(dir, 'data'))).toBe(0o700);
      for (const file of [db, `${db}-wal`, `${db}-shm`]) expect(mode(file), file).toBe(0o600);
    } finally {
      await herald.stop();
    }
  });

  it('narrows an existing database file that others could read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-rest-'));
    dirs.push(dir);
    const db = join(dir, 'herald.db');
    writeFileSync(db, '');
    chmodSync(db, 0o644);
    const herald = await start(db);
    await herald.stop();
    expect(mode(db)).toBe(0o600);
  });
});

describe('request logs', () => {
  it('never hold a key from the Authorization header or the query string', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-rest-'));
    dirs.push(dir);
    const lines: string[] = [];
    const herald = await start(join(dir, 'herald.db'), lines);
    try {
      const secretInQuery = 'hk_tnt_this_must_never_be_logged_0001';
      await fetch(`${herald.url}/v1/tenants?api_key=${secretInQuery}&limit=5`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      await fetch(`${herald.url}/healthz?token=${secretInQuery}`);
    } finally {
      await herald.stop();
    }
    const log = lines.join('');
    const requestLines = lines.filter((l) => l.includes('request completed'));
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toContain('"url":"/v1/tenants?[redacted]"');
    expect(log).not.toContain('this_must_never_be_logged');
    expect(log).not.toContain(KEY);
  });
});
