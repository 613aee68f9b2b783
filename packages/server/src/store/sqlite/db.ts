/**
 * The SQLite connection and the few helpers every table module shares.
 */
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export type Db = Database.Database;
export type Statement = Database.Statement;

export interface SqliteOptions {
  /** NORMAL survives a process crash; FULL also survives power loss, at some cost in ingest speed. */
  synchronous?: 'NORMAL' | 'FULL';
}

/**
 * The database holds endpoint secrets and every payload: only its owner may
 * read it. The file is created 0600 before SQLite opens it (SQLite gives its
 * -wal and -shm files the database file's mode), and an existing file that
 * others can read is narrowed to 0600 too.
 */
function ownerOnly(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:')) return;
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

export function openDatabase(path: string, options: SqliteOptions = {}): Db {
  ownerOnly(path);
  const db = new Database(path);
  // WAL lets readers (the API) run while a worker writes; `:memory:` stays in memory mode.
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // Several Herald processes may share the file; wait for the writer rather than fail.
  db.pragma('busy_timeout = 5000');
  // 16 MiB of page cache: enough for the due index and hot endpoints, small enough
  // that a large backlog keeps the process's memory flat.
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = MEMORY');
  // Checkpoint every 10,000 WAL pages (~40 MB) instead of 1,000: hot pages (the
  // index leaves of busy endpoints) are rewritten many times between two
  // checkpoints but copied to the database file once each.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

/**
 * Prepared statements for SQL built at run time (optional filters), kept by
 * their text: the number of filter combinations is small, so the cache is too.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * A list bound as one parameter (`IN (SELECT value FROM json_each(?))`), so a
 * query with a variable-length list is still one prepared statement.
 */
export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}

export { fromJson, toJson } from '../json.ts';

/** The SQLite extended error code of a constraint failure, e.g. SQLITE_CONSTRAINT_PRIMARYKEY. */
export function constraintCode(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) return code;
  }
  return null;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = constraintCode(err);
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function isForeignKeyViolation(err: unknown): boolean {
  return constraintCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
