/**
 * A connection that dies the moment the pool hands it out: PostgreSQL
 * terminates a backend (pg_terminate_backend, a restart) right after it said
 * ReadyForQuery, and the FATAL message arrives in the same read as the
 * handshake. pg emits 'error' on the client before the code that asked for
 * it has run a line; without a listener already in place Node would stop the
 * whole process. Here a proxy injects exactly that, and the store must
 * answer with a failed call, then work again once connections are healthy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.ts';
import { type PgProxy, startPgProxy } from '../scale/proxy.ts';
import { newEvent, tenantFixture } from './contract-fixtures.ts';

describe.skipIf(!pgAvailable)('PostgreSQL connection lost at hand-out', () => {
  const schema = uniqueSchema('connloss');
  let proxy: PgProxy;
  let store: PostgresStore;
  beforeAll(async () => {
    const target = new URL(PG_URL);
    proxy = await startPgProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    store = new PostgresStore({ connectionString: viaProxy.toString(), schema, poolSize: 2 });
    await store.migrate();
    await store.createTenant(tenantFixture('acme'));
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  it('fails the call (no crash) when the FATAL comes with the handshake, and recovers after', async () => {
    proxy.fatalOnHandshake(true);
    proxy.dropConnections(); // the pool's idle connections die; the next call opens new ones through the armed proxy
    for (let i = 0; i < 5; i++) {
      // A transaction (withTx) and a single query (pool.query) both take a fresh connection.
      await expect(store.insertEvents([newEvent('acme', [])])).rejects.toThrow();
      await expect(store.nextDueAt()).rejects.toThrow();
    }
    proxy.fatalOnHandshake(false);
    const [inserted] = await store.insertEvents([newEvent('acme', [])]);
    expect(inserted?.duplicate).toBe(false);
    expect(await store.nextDueAt()).toBeNull();
  });
});
