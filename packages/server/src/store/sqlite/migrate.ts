import { listMigrations, SQLITE_MIGRATIONS_DIR } from '../migrations.ts';
import type { Db } from './db.ts';

export interface MigrateLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Applies every pending migration, each in its own `BEGIN IMMEDIATE`
 * transaction: the write lock is taken before checking what is applied, so
 * two processes starting at once apply each file exactly once (the second
 * waits on busy_timeout, then sees the version recorded and skips it).
 */
export function migrateSqlite(db: Db, logger?: MigrateLogger, dir: string = SQLITE_MIGRATIONS_DIR): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const migrations = listMigrations(dir);

  for (const migration of migrations) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!isApplied.get(migration.version)) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(`migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  const latestKnown = migrations.at(-1)?.version ?? 0;
  const latestApplied = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as
    | number
    | null;
  if (latestApplied !== null && latestApplied > latestKnown) {
    logger?.warn(
      { databaseVersion: latestApplied, knownVersion: latestKnown },
      'the database schema is newer than this Herald version; upgrade Herald before relying on it',
    );
  }
}
