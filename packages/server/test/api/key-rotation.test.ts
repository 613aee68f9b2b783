/**
 * HERALD_API_KEY across real restarts of startHerald on one database (a
 * SQLite file, a PostgreSQL schema): a changed value revokes the key stored
 * for the old one, and nothing else; and portal links of a listening Herald
 * are built on its own address, whatever Host a request claims.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type HeraldInstance, startHerald } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { apiClient } from '../helpers/api-client.ts';
import { dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';

const KEY_A = 'hk_rotation_key_aaaaaaaaaaaa';
const KEY_B = 'hk_rotation_key_bbbbbbbbbbbb';
const KEY_C = 'hk_rotation_key_cccccccccccc';
const logger = pino({ level: 'silent' });

function start(databaseUrl: string, apiKey?: string): Promise<HeraldInstance> {
  const config = loadConfig({
    HERALD_DATABASE_URL: databaseUrl,
    HERALD_PORT: '0',
    HERALD_ROLE: 'api',
    ...(apiKey ? { HERALD_API_KEY: apiKey } : {}),
  });
  return startHerald(config, { logger });
}

/** A POST over a real socket with a Host header of the caller's choosing. */
function postWithHost(url: string, path: string, key: string, host: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        headers: { host, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

function rotationSuite(name: string, databaseUrl: () => string): void {
  it(`${name}: a new HERALD_API_KEY revokes the old one's key; generated keys and tokens stay`, async () => {
    const first = await start(databaseUrl());
    const generated = first.generatedAdminKey!;
    expect(generated).toMatch(/^hk_admin_/);
    await first.stop();

    let herald = await start(databaseUrl(), KEY_A);
    let a = apiClient(herald.url!, KEY_A);
    expect((await a.post('/v1/tenants', { id: 'acme' })).status).toBe(201);
    const token = (await a.post('/v1/tenants/acme/tokens', { name: 'ci' })).body.token as string;
    await herald.stop();

    herald = await start(databaseUrl(), KEY_B);
    try {
      a = apiClient(herald.url!, KEY_A);
      const refused = await a.get('/v1/tenants');
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toContain('revoked');
      const b = apiClient(herald.url!, KEY_B);
      expect((await b.get('/v1/tenants')).status).toBe(200);
      expect((await apiClient(herald.url!, generated).get('/v1/tenants')).status).toBe(200);
      expect((await apiClient(herald.url!, token).get('/v1/tenants/acme')).status).toBe(200);

      const keys = (await b.get('/v1/api-keys?includeRevoked=true')).body.data as any[];
      const env = keys.filter((k) => k.source === 'env');
      expect(env).toHaveLength(2);
      expect(env.filter((k) => k.revokedAt === null)).toHaveLength(1);
      expect(keys.find((k) => k.source === 'generated').revokedAt).toBeNull();

      // Portal links: on the listen address, never on the Host header.
      const session = await postWithHost(
        herald.url!,
        '/v1/tenants/acme/portal-sessions',
        KEY_B,
        'evil.example',
      );
      expect(session.status).toBe(201);
      expect(session.body.url.startsWith(`${herald.url}/portal#token=hk_portal_`)).toBe(true);
      expect(session.body.url).not.toContain('evil');
    } finally {
      await herald.stop();
    }

    // The old value again: a revoked key never comes back, and the start says so.
    await expect(start(databaseUrl(), KEY_A)).rejects.toThrow(/revoked.*set HERALD_API_KEY to a new value/);
    herald = await start(databaseUrl(), KEY_B);
    expect((await apiClient(herald.url!, KEY_B).get('/v1/tenants')).status).toBe(200);
    await herald.stop();
  });
}

describe('HERALD_API_KEY rotation on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-rotation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  rotationSuite('sqlite', () => `sqlite:${join(dir, 'herald.db')}`);
});

describe.skipIf(!pgAvailable)('HERALD_API_KEY rotation on PostgreSQL', () => {
  const schema = uniqueSchema('rotation');
  afterAll(() => dropSchema(schema));
  rotationSuite('postgres', () => pgUrlFor(schema));

  it('postgres: processes starting at once with the same new key store it once', async () => {
    const both = await Promise.all([start(pgUrlFor(schema), KEY_C), start(pgUrlFor(schema), KEY_C)]);
    try {
      for (const herald of both) {
        expect((await apiClient(herald.url!, KEY_C).get('/v1/tenants')).status).toBe(200);
        expect((await apiClient(herald.url!, KEY_B).get('/v1/tenants')).status).toBe(401);
      }
      const keys = (await apiClient(both[0]!.url!, KEY_C).get('/v1/api-keys')).body.data as any[];
      expect(keys.filter((k) => k.source === 'env')).toHaveLength(1);
    } finally {
      await Promise.all(both.map((h) => h.stop()));
    }
  });
});
