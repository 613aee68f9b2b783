/**
 * PostgreSQL for tests: the server on 127.0.0.1:5432 (database `test`), or
 * HERALD_TEST_PG_URL. Each test file (or each store) gets its own schema,
 * dropped afterwards, so files run in parallel without seeing each other.
 *
 * Without a reachable server: in CI (CI set) loading this module fails the
 * file loudly; elsewhere `pgAvailable` is false and the files skip themselves
 * (`describe.skipIf(!pgAvailable)`) after printing one line saying why.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/store.ts';

export const PG_URL = process.env.HERALD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await probe();
const shownUrl = PG_URL.replace(/\/\/[^@/]*@/, '//…@');
if (problem !== null) {
  if (process.env.CI) {
    throw new Error(
      `PostgreSQL is required in CI but ${shownUrl} is not reachable (${problem}); .ci/start-postgres.sh should have started it`,
    );
  }
  console.warn(
    `[herald tests] PostgreSQL not reachable at ${shownUrl} (${problem}): skipping PostgreSQL tests (set HERALD_TEST_PG_URL, or start PostgreSQL; in CI this fails)`,
  );
}

export const pgAvailable = problem === null;

/** A schema name nobody else uses: `herald_t_<label>_<random>`. */
export function uniqueSchema(label: string): string {
  return `herald_t_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
}

/** HERALD_DATABASE_URL for a Herald process whose tables live in `schema`. */
export function pgUrlFor(schema: string): string {
  return `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
}

/** Runs one statement (or a few) on a short-lived admin connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A migrated PostgreSQL store in a fresh schema; cleanup closes it and drops the schema. */
export async function tempPgStore(
  label = 'store',
): Promise<{ store: PostgresStore; schema: string; cleanup(): Promise<void> }> {
  const schema = uniqueSchema(label);
  const store = new PostgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
  await store.migrate();
  return {
    store,
    schema,
    async cleanup() {
      await store.close();
      await dropSchema(schema);
    },
  };
}
