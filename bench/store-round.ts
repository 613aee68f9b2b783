import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../packages/server/src/store/open.ts';
/**
 * A store alone, without HTTP: `npx tsx bench/store-round.ts [events]`
 * (K=results per round, default 76) prints the cost of ingest per event and of
 * one dispatcher round (store results + claim, one transaction) per delivery.
 * SQLite by default; with HERALD_BENCH_PG set, PostgreSQL (in a schema of its
 * own, dropped afterwards). Repeatable to a few percent, so it shows what a
 * change to the store costs.
 */
import type { Store } from '../packages/server/src/store/port.ts';
import { PostgresStore } from '../packages/server/src/store/postgres/store.ts';
import {
  completion,
  endpointFixture,
  newEvent,
  T0,
  tenantFixture,
} from '../packages/server/test/store/contract-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'rb-'));
const pgUrl = process.env.HERALD_BENCH_PG;
const schema = `herald_store_round_${process.pid}`;
const store: Store = pgUrl
  ? new PostgresStore({ connectionString: pgUrl, schema })
  : await createSqliteStore(join(dir, 'h.db'));
await store.migrate();
await store.createTenant(tenantFixture('acme'));
const ep = await store.createEndpoint(
  endpointFixture('acme', { maxInFlight: 100, filter: null, eventTypes: ['*'] }),
);
const N = Number(process.argv[2] ?? 60_000);
let t = performance.now();
for (let i = 0; i < N; i += 1000) {
  await store.insertEvents(
    Array.from({ length: 1000 }, () =>
      newEvent('acme', [ep.id], { event: { payload: JSON.stringify({ a: 'x'.repeat(250) }) } }),
    ),
  );
}
console.log('ingest', (((performance.now() - t) / N) * 1000).toFixed(1), 'µs/event');
let inflight = await store.claimDeliveries({
  owner: 'w',
  limit: Number(process.env.K ?? 76) + 24,
  leaseMs: 5000,
  now: T0,
});
t = performance.now();
let done = 0;
while (inflight.length > 0) {
  const k = Number(process.env.K ?? 76);
  const finished = inflight.slice(0, k);
  const results = finished.map((c) => completion(c, 'w', { status: 'succeeded' }));
  const r = await store.completeAndClaim(results, { owner: 'w', limit: 256, leaseMs: 5000, now: T0 });
  inflight = inflight.slice(k).concat(r.claimed);
  done += results.length;
}
console.log('round', (((performance.now() - t) / done) * 1000).toFixed(1), 'µs/delivery', done);
if (store instanceof PostgresStore) await store.pool.query(`DROP SCHEMA ${schema} CASCADE`);
await store.close();
rmSync(dir, { recursive: true, force: true });
