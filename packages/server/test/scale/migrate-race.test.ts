/**
 * Two Herald processes started at the same moment on an empty schema: the
 * migration lock makes one wait for the other, so both come up and the
 * schema history records each migration once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/store/migrations.ts';
import { POSTGRES_MIGRATIONS_DIR } from '../../src/store/postgres/migrate.ts';
import { type HeraldProcess, spawnHerald } from '../helpers/herald-process.ts';
import { adminQuery, dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';

describe.skipIf(!pgAvailable)('concurrent start on PostgreSQL', () => {
  const schema = uniqueSchema('race');
  const processes: HeraldProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await dropSchema(schema);
  });

  it('two processes starting at once on an empty schema both come up', async () => {
    const env = { HERALD_DATABASE_URL: pgUrlFor(schema), HERALD_API_KEY: 'hk_test_admin_key_race_0001' };
    const started = await Promise.all([spawnHerald(env), spawnHerald(env)]);
    processes.push(...started);
    for (const p of started) {
      const res = await fetch(`${p.url}/healthz`);
      expect(res.status).toBe(200);
    }
    const history = await adminQuery<{ version: number }>(
      `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
    );
    // Every migration file applied exactly once, though two processes raced to apply them.
    const files = listMigrations(POSTGRES_MIGRATIONS_DIR).map((m) => m.version);
    expect(history.map((r) => r.version)).toEqual(files);
    // Both processes stored the same admin key hash once, not twice.
    const keys = await adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".api_keys`);
    expect(keys[0]?.n).toBe(1);
  });
});
