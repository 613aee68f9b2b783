/**
 * What the PostgreSQL adapter adds beyond the shared contract: per-endpoint
 * limits across independent connection pools (as across processes), the
 * claim's use of the partial index, LISTEN/NOTIFY wake-ups that survive a
 * lost connection, 503 when the database is unreachable, and URL parsing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.ts';
import { isStoreUnavailable } from '../../src/api/errors.ts';
import { healthOf } from '../../src/store/health-port.ts';
import { postgresTarget } from '../../src/store/open.ts';
import { CLAIM_CANDIDATES_SQL, DUE_ROWS_SQL } from '../../src/store/postgres/claim-sql.ts';
import { INDEXED_TX } from '../../src/store/postgres/db.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { adminQuery, dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../helpers/pg.ts';
import { endpointFixture, newEvent, T0, tenantFixture } from './contract-fixtures.ts';

describe.skipIf(!pgAvailable)('PostgreSQL adapter', () => {
  const schema = uniqueSchema('adapter');
  const stores: PostgresStore[] = [];
  const open = (extra: { appName?: string } = {}) => {
    const url = new URL(PG_URL);
    if (extra.appName) url.searchParams.set('application_name', extra.appName);
    const store = new PostgresStore({ connectionString: url.toString(), schema, poolSize: 3 });
    stores.push(store);
    return store;
  };
  let main: PostgresStore;
  beforeAll(async () => {
    main = open();
    await main.migrate();
    await main.createTenant(tenantFixture('acme'));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });

  it('keeps maxInFlight across separate pools claiming at once, and never hands a row out twice', async () => {
    const ep = await main.createEndpoint(endpointFixture('acme', { maxInFlight: 7 }));
    const other = await main.createEndpoint(endpointFixture('acme', { maxInFlight: 1000 }));
    const batch = Array.from({ length: 200 }, (_, i) => newEvent('acme', [ep.id, other.id], { now: T0 + i }));
    await main.insertEvents(batch);
    const workers = [open(), open(), open(), open()];
    const claimed = (
      await Promise.all(
        workers.flatMap((w, i) =>
          [0, 1, 2].map(() =>
            w.claimDeliveries({ owner: `w${i}`, limit: 40, leaseMs: 1000, now: T0 + 1000 }),
          ),
        ),
      )
    ).flat();
    const ids = claimed.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(claimed.filter((c) => c.endpointId === ep.id)).toHaveLength(7);
    expect(await main.countDeliveries({ status: 'in_flight', endpointId: ep.id })).toBe(7);
    expect(claimed.filter((c) => c.endpointId === other.id).length).toBeGreaterThan(0);
  });

  it('finds endpoints with work on the queue heads, never the backlog, and takes rows from each one’s index', async () => {
    // A backlog as the claim meets it in production: many pending rows, of several endpoints.
    const eps = await Promise.all([1, 2, 3].map(() => main.createEndpoint(endpointFixture('acme'))));
    const backlog = Array.from({ length: 3000 }, (_, i) =>
      newEvent('acme', [eps[i % 3]!.id], { now: T0 + i }),
    );
    for (let i = 0; i < backlog.length; i += 500) await main.insertEvents(backlog.slice(i, i + 500));
    await adminQuery(`ANALYZE "${schema}".deliveries`);
    const explain = async (sql: string, params: unknown[]) => {
      const client = await main.pool.connect();
      try {
        await client.query(INDEXED_TX);
        const { rows } = await client.query(`EXPLAIN ${sql}`, params);
        await client.query('ROLLBACK');
        return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      } finally {
        client.release();
      }
    };
    const candidates = await explain(CLAIM_CANDIDATES_SQL, [T0 + 10_000, 256, 1000]);
    expect(candidates).toContain('endpoint_queue_due');
    expect(candidates).not.toContain('deliveries_due');
    // Under the endpoint lock, each endpoint's due rows are a range of its own index.
    const due = await explain(DUE_ROWS_SQL, [['ep_a', 'ep_b'], [16, 16], [false, false], T0, []]);
    expect(due).toContain('deliveries_endpoint_due');
  });

  it('keeps one wake-up row per endpoint and statement, and folds them into the heads on the next claim', async () => {
    const ep = await main.createEndpoint(endpointFixture('acme'));
    await main.insertEvents(Array.from({ length: 50 }, () => newEvent('acme', [ep.id], { now: T0 })));
    const wakeups = await main.pool.query(
      'SELECT count(*)::int AS n FROM endpoint_wakeups WHERE endpoint_id = $1',
      [ep.id],
    );
    expect(wakeups.rows[0].n).toBe(1);
    const claimed = await main.claimDeliveries({ owner: 'w', limit: 500, leaseMs: 1000, now: T0 + 1 });
    expect(claimed.filter((c) => c.endpointId === ep.id).length).toBeGreaterThan(0);
    const after = await main.pool.query(
      'SELECT count(*)::int AS n FROM endpoint_wakeups WHERE endpoint_id = $1',
      [ep.id],
    );
    expect(after.rows[0].n).toBe(0);
    const head = await main.pool.query('SELECT due_at FROM endpoint_queue WHERE endpoint_id = $1', [ep.id]);
    expect(Number(head.rows[0].due_at)).toBe(T0);
  });

  it('activating an endpoint with a parked backlog leaves one wake-up, not one per delivery', async () => {
    const ep = await main.createEndpoint(endpointFixture('acme', { status: 'paused' }));
    await main.insertEvents(
      Array.from({ length: 300 }, (_, i) => newEvent('acme', [ep.id], { now: T0 + i, due: null })),
    );
    await main.updateEndpoint('acme', ep.id, { status: 'active' }, T0 + 1000);
    const wakeups = await main.pool.query('SELECT due_at FROM endpoint_wakeups WHERE endpoint_id = $1', [
      ep.id,
    ]);
    expect(wakeups.rows.map((r) => Number(r.due_at))).toEqual([T0]);
    // The per-row trigger still wakes for everything else that makes a delivery due.
    const claimed = await main.claimDeliveries({ owner: 'w', limit: 2, leaseMs: 1000, now: T0 + 1001 });
    await main.releaseDeliveries(
      'w',
      claimed.map((c) => c.id),
      T0 + 1002,
    );
    const after = await main.pool.query(
      'SELECT count(*)::int AS n FROM endpoint_wakeups WHERE endpoint_id = $1',
      [ep.id],
    );
    expect(after.rows[0].n).toBe(2);
  });

  it('retrying an endpoint now leaves one wake-up for all it moved', async () => {
    const ep = await main.createEndpoint(endpointFixture('acme', { maxInFlight: 100 }));
    await main.insertEvents(
      Array.from({ length: 200 }, (_, i) => newEvent('acme', [ep.id], { due: T0 + 60_000 + i })),
    );
    await main.claimDeliveries({ owner: 'w', limit: 1, leaseMs: 1000, now: T0 }); // folds the insert's wake-up
    const moved = await healthOf(main).retryNow('acme', ep.id, T0 + 10);
    expect(moved).toEqual({ moved: 200, pending: 200 });
    const wakeups = await main.pool.query('SELECT due_at FROM endpoint_wakeups WHERE endpoint_id = $1', [
      ep.id,
    ]);
    expect(wakeups.rows.map((r) => Number(r.due_at))).toEqual([T0 + 10]);
    const claimed = await main.claimDeliveries({ owner: 'w', limit: 500, leaseMs: 1000, now: T0 + 10 });
    expect(claimed.filter((c) => c.endpointId === ep.id)).toHaveLength(100);
  });

  it('wakes workers of another pool through LISTEN/NOTIFY, also after the listen connection is killed', async () => {
    const appName = `herald_listen_${schema}`.slice(0, 63);
    const listener = open({ appName });
    const notifier = open();
    let wakes = 0;
    listener.onWork(() => {
      wakes += 1;
    });
    // Subscribing opens the LISTEN connection, which wakes once on connect.
    await waitUntil('the listen connection', () => wakes >= 1, 10_000);
    const before = wakes;
    notifier.notifyWork();
    await waitUntil('a notification', () => wakes > before, 10_000);

    const killed = await adminQuery(
      `WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = $1)
       SELECT pid FROM victims WHERE pg_terminate_backend(pid)`,
      [appName],
    );
    expect(killed.length).toBeGreaterThan(0);
    // After reconnecting it wakes by itself (notifications may have been missed) and hears new ones.
    const afterKill = wakes;
    await waitUntil('the reconnect wake-up', () => wakes > afterKill, 10_000);
    const reconnected = wakes;
    notifier.notifyWork();
    await waitUntil('a notification after reconnecting', () => wakes > reconnected, 10_000);
  });

  it('does not wake another schema', async () => {
    const elsewhere = new PostgresStore({
      connectionString: PG_URL,
      schema: uniqueSchema('quiet'),
      poolSize: 1,
    });
    stores.push(elsewhere);
    let wakes = 0;
    elsewhere.onWork(() => {
      wakes += 1;
    });
    await waitUntil('the listen connection', () => wakes >= 1, 10_000);
    main.notifyWork();
    // A notification that would arrive does so in well under this; then it must not have counted.
    await new Promise((r) => setTimeout(r, 300));
    expect(wakes).toBe(1);
  });
});

describe('PostgreSQL unreachable', () => {
  it('the API answers 503 unavailable, not 500', async () => {
    // Port 1 on loopback: nothing listens, every connection is refused.
    const store = new PostgresStore({ connectionString: 'postgres://herald@127.0.0.1:1/none', poolSize: 1 });
    const app = await buildApi({ store, clock: () => T0, options: { version: '0.0.0' } });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/tenants/acme/events',
        headers: { authorization: 'Bearer hk_some_key_0000000000', 'content-type': 'application/json' },
        payload: JSON.stringify({ type: 'order.created', data: {} }),
      });
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body).error.code).toBe('unavailable');
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('recognises connection failures as unavailable, and nothing else', () => {
    for (const code of ['08006', '08001', '57P01', '57P03', '53300', 'ECONNREFUSED'])
      expect(isStoreUnavailable({ code, message: 'x' })).toBe(true);
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    for (const code of ['23505', '42P01', '22P02'])
      expect(isStoreUnavailable({ code, message: 'x' })).toBe(false);
  });
});

describe('HERALD_DATABASE_URL for PostgreSQL', () => {
  it('takes ?schema= off the URL and keeps the rest', () => {
    expect(postgresTarget('postgres://u:p@db:5432/herald?schema=tenant_a&sslmode=require')).toEqual({
      connectionString: 'postgres://u:p@db:5432/herald?sslmode=require',
      schema: 'tenant_a',
    });
    expect(postgresTarget('postgres://db/herald')).toEqual({
      connectionString: 'postgres://db/herald',
      schema: null,
    });
  });

  it('refuses a schema name that is not a plain identifier, without echoing the password', () => {
    expect(() => postgresTarget('postgres://u:secret@db/h?schema=a;drop')).toThrow(
      /schema=.*letters, digits/,
    );
    expect(() => postgresTarget('postgres://u:secret@db/h?schema=a;drop')).not.toThrow(/secret/);
  });
});
