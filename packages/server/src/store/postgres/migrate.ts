import { runtimeDir } from '../../paths.ts';
import { listMigrations } from '../migrations.ts';
import { type PgLogger, type Pool, quoteIdent, withTx } from './db.ts';

/** Where the PostgreSQL schema history lives. */
export const POSTGRES_MIGRATIONS_DIR = runtimeDir(
  ['src', 'store', 'migrations', 'postgres'],
  ['migrations', 'postgres'],
);

/**
 * Applies every pending migration in one transaction that first takes an
 * advisory lock on the schema's name: processes starting at once queue on the
 * lock, and each later one finds the versions recorded and applies nothing.
 * DDL is transactional in PostgreSQL, so a failed migration leaves no trace.
 */
export async function migratePostgres(
  pool: Pool,
  schema: string | undefined,
  logger?: PgLogger,
  dir: string = POSTGRES_MIGRATIONS_DIR,
): Promise<void> {
  const migrations = listMigrations(dir);
  const latestApplied = await withTx(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`herald.migrate:${schema ?? ''}`]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      try {
        await client.query(migration.sql);
      } catch (err) {
        throw new Error(
          `migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      applied.add(migration.version);
    }
    return Math.max(0, ...applied);
  });
  const latestKnown = migrations.at(-1)?.version ?? 0;
  if (latestApplied > latestKnown) {
    logger?.warn(
      { databaseVersion: latestApplied, knownVersion: latestKnown },
      'the database schema is newer than this Herald version; upgrade Herald before relying on it',
    );
  }
}
