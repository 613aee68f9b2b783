/**
 * Opens the store a database URL names. Adapters plug in here; nothing
 * above this file knows which database it talks to.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HeraldError } from '../domain/errors.ts';
import type { Store } from './port.ts';
import { SqliteStore } from './sqlite/store.ts';

export interface OpenStoreOptions {
  logger?: { warn(obj: object, msg: string): void };
  /** SQLite only: NORMAL (default) survives a process crash; FULL also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
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
    throw new HeraldError(
      'config_invalid',
      'PostgreSQL support is not available yet; set HERALD_DATABASE_URL to sqlite:<path> (e.g. sqlite:./.herald/herald.db)',
    );
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
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
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
