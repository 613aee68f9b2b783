/**
 * The PostgreSQL connection pool and the few helpers every table module
 * shares: transactions, parameter lists, error codes.
 */
import pg from 'pg';

export type Pool = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export interface PgLogger {
  warn(obj: object, msg: string): void;
}

export interface PgOptions {
  connectionString: string;
  /** Tables live in this schema (search_path); created by migrate() when missing. */
  schema?: string;
  poolSize?: number;
  logger?: PgLogger;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Times are BIGINT epoch milliseconds and counts are BIGINT: both fit a JS
 * number exactly (2^53 ms is year 287396), so they are parsed as numbers.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Connection settings shared by the pool and the LISTEN connection. */
export function clientConfig(opts: PgOptions): pg.ClientConfig {
  return {
    connectionString: opts.connectionString,
    // Operators (and the tests) find Herald's sessions in pg_stat_activity by this name.
    application_name: 'herald',
    ...(opts.schema ? { options: `-c search_path=${quoteIdent(opts.schema)}` } : {}),
    types,
    // A query never waits forever for a connection: while the database is down the API answers 503.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  };
}

export function createPool(opts: PgOptions): Pool {
  const pool = new pg.Pool({ ...clientConfig(opts), max: opts.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // Every connection listens for 'error' from birth to end. The pool listens only
  // while a connection is idle, and a connection can die between being handed
  // out and its borrower's first line (a FATAL that arrives with the handshake,
  // in the same read): with no listener, Node would stop the process. The
  // borrower still sees the failure, on its query; the pool then drops the connection.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  // An idle connection that dies (database restart, pg_terminate_backend) is
  // reported here; without a listener Node would crash. The pool drops it and
  // opens a new one on the next query.
  pool.on('error', (err) => {
    opts.logger?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'a PostgreSQL connection was lost; it will be replaced',
    );
  });
  return pool;
}

/**
 * Starts a dispatcher round's transaction. Every statement of a round is a keyed
 * lookup or a LIMITed walk of an index, so an index plan is always the right one;
 * but a queue table fills and drains faster than autovacuum's statistics follow,
 * and on statistics that say "a few rows" the planner picks a bitmap or sequential
 * scan of the whole backlog (bench/store-round.ts, 20,000 pending: finding the
 * endpoints with work read every due row, 4.7 ms a round instead of 1.3). These
 * settings last until the commit.
 */
export const INDEXED_TX = 'BEGIN; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off';

/** Runs `fn` in one transaction on one pooled connection (`begin` opens it); rolls back on any error. */
export async function withTx<T>(
  pool: Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // The connection is unusable: have the pool close it rather than reuse it.
      broken = rollbackErr as Error;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export { fromJson, toJson } from '../json.ts';
/** Builds `$n` placeholders for SQL assembled at run time (optional filters). */
export { NumberedParams as Params } from '../sql-params.ts';

function sqlState(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === '23505';
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === '23503';

/** Appends one row's values to per-column arrays (for `INSERT … SELECT * FROM unnest(…)`). */
export function pushRow(columns: unknown[][], values: readonly unknown[]): void {
  for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
}
