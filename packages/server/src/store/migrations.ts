/**
 * Schema history as plain SQL files (`NNNN_name.sql`), shipped inside the
 * package, one folder per database. Adapters record applied versions in a
 * `schema_migrations` table and apply each pending file in its own
 * transaction.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeDir } from '../paths.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_PATTERN = /^(\d{4})_([A-Za-z0-9_-]+)\.sql$/;

/** Where the SQLite schema history lives. */
export const SQLITE_MIGRATIONS_DIR = runtimeDir(
  ['src', 'store', 'migrations', 'sqlite'],
  ['migrations', 'sqlite'],
);

/** The migrations in `dir`, by version ascending. Other files are ignored. */
export function listMigrations(dir: string): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      sql: readFileSync(join(dir, file), 'utf8'),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations share version ${migrations[i]!.version} in ${dir}`);
    }
  }
  return migrations;
}
