/**
 * A connection that dies the moment the pool hands it out: PostgreSQL
 * terminates a backend (pg_terminate_backend, a restart) right after it said
 * ReadyForQuery, and the FATAL message arrives in the same read as the
 * handshake. pg emits 'error' on the client before the code that asked for
 * it has run a line; without a listener already in place Node would stop the
 * whole process. Here a proxy injects exactly that, and the store must
 * answer with a failed call, then work again once connections are healthy.
 */
import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.ts';
import { newEvent, tenantFixture } from './contract-fixtures.ts';

/** An ErrorResponse as PostgreSQL sends it when an administrator terminates a backend. */
function fatalTermination(): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ].map(([k, v]) => Buffer.from(`${k}${v}\0`)),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** Offset just past the first ReadyForQuery ('Z') message in `buf`, or -1 while it is incomplete. */
function endOfReadyForQuery(buf: Buffer): number {
  let at = 0;
  while (at + 5 <= buf.length) {
    const end = at + 1 + buf.readInt32BE(at + 1);
    if (end > buf.length) return -1;
    if (buf[at] === 0x5a) return end;
    at = end;
  }
  return -1;
}

interface KillingProxy {
  port: number;
  /** From now on every new connection gets FATAL 57P01 with its handshake, in one write. */
  arm(): void;
  disarm(): void;
  dropAll(): void;
  close(): Promise<void>;
}

async function startKillingProxy(target: URL): Promise<KillingProxy> {
  const sockets = new Set<Socket>();
  let armed = false;
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    const kill = armed;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    if (!kill) {
      upstream.pipe(client);
      return;
    }
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = endOfReadyForQuery(pending);
      if (end < 0) return;
      client.end(Buffer.concat([pending.subarray(0, end), fatalTermination()]));
      upstream.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    arm: () => {
      armed = true;
    },
    disarm: () => {
      armed = false;
    },
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!pgAvailable)('PostgreSQL connection lost at hand-out', () => {
  const schema = uniqueSchema('connloss');
  let proxy: KillingProxy;
  let store: PostgresStore;
  beforeAll(async () => {
    const target = new URL(PG_URL);
    proxy = await startKillingProxy(target);
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
    proxy.arm();
    proxy.dropAll(); // the pool's idle connections die; the next call opens new ones through the armed proxy
    for (let i = 0; i < 5; i++) {
      // A transaction (withTx) and a single query (pool.query) both take a fresh connection.
      await expect(store.insertEvents([newEvent('acme', [])])).rejects.toThrow();
      await expect(store.nextDueAt()).rejects.toThrow();
    }
    proxy.disarm();
    const [inserted] = await store.insertEvents([newEvent('acme', [])]);
    expect(inserted?.duplicate).toBe(false);
    expect(await store.nextDueAt()).toBeNull();
  });
});
