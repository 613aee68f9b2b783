/**
 * Opens the store a database URL names. Adapters plug in here; nothing
 * above this file knows which database it talks to.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HeraldError } from '../domain/errors.ts';
import type { Store } from './port.ts';
import { PostgresStore } from './postgres/store.ts';
import { SqliteStore } from './sqlite/store.ts';

export interface OpenStoreOptions {
  logger?: { warn(obj: object, msg: string): void };
  /** SQLite only: NORMAL (default) survives a process crash; FULL also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
  /** PostgreSQL only: connections in this process's pool (HERALD_PG_POOL_SIZE, default 10). */
  poolSize?: number;
}

/**
 * `sqlite:<path>` (relative to the working directory; the directory is
 * created), `sqlite::memory:`, or `postgres://…`. The store is not migrated:
 * call `store.migrate()`.
 */
export async function openStore(databaseUrl: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = sqlitePath(databaseUrl.slice('sqlite:'.length));
    return createSqliteStore(path, opts);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const { connectionString, schema } = postgresTarget(databaseUrl);
    return new PostgresStore({
      connectionString,
      ...(schema ? { schema } : {}),
      poolSize: opts.poolSize ?? 10,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }
  // Only the scheme is shown: the rest of a URL may hold a password.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(databaseUrl)?.[1];
  throw new HeraldError(
    'config_invalid',
    `HERALD_DATABASE_URL must start with sqlite: or postgres:// (got ${scheme ? `'${scheme}:'` : 'no scheme'}); ` +
      'for example sqlite:./.herald/herald.db',
  );
}

/** A SQLite store on `path` (`:memory:` for a private in-memory database). Not migrated. */
export function createSqliteStore(
  path: string,
  opts: { synchronous?: 'NORMAL' | 'FULL'; logger?: OpenStoreOptions['logger'] } = {},
): Store {
  // A directory made here holds only Herald's database: its owner's alone.
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
  return new SqliteStore(path, opts);
}

function sqlitePath(rest: string): string {
  if (rest === ':memory:') return ':memory:';
  // sqlite:///abs/path.db and sqlite://rel.db read as paths too.
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') {
    throw new HeraldError(
      'config_invalid',
      'HERALD_DATABASE_URL names no SQLite file; use sqlite:<path>, e.g. sqlite:./.herald/herald.db',
    );
  }
  return resolve(process.cwd(), path);
}

/**
 * `postgres://…?schema=name` keeps Herald's tables in that schema (created at
 * migrate), so several installations or test runs can share one database.
 * The parameter is Herald's, not the driver's, so it is taken off the URL.
 */
export function postgresTarget(databaseUrl: string): { connectionString: string; schema: string | null } {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new HeraldError(
      'config_invalid',
      'HERALD_DATABASE_URL is not a valid URL; use postgres://user:password@host:5432/database',
    );
  }
  const schema = url.searchParams.get('schema');
  if (schema === null) return { connectionString: databaseUrl, schema: null };
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new HeraldError(
      'config_invalid',
      `HERALD_DATABASE_URL has schema=${JSON.stringify(schema)}: use letters, digits and _ (at most 63, not starting with a digit)`,
    );
  }
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}
