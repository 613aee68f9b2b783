/**
 * What an endpoint at its limit with a large backlog costs everyone else's
 * claims, on PostgreSQL: `npx tsx bench/saturated-claim.ts [backlog]`
 * (HERALD_BENCH_PG, default the local test database). A slow endpoint
 * (maxInFlight 10, all leased and never finished) holds `backlog` due
 * deliveries; a healthy one with 5,000 is delivered in rounds of up to 100,
 * and the time per round is printed. With queue heads, the slow endpoint's
 * backlog should not show in it.
 */
import { PostgresStore } from '../packages/server/src/store/postgres/store.ts';
import {
  completion,
  endpointFixture,
  newEvent,
  T0,
  tenantFixture,
} from '../packages/server/test/store/contract-fixtures.ts';

const schema = `herald_saturated_${process.pid}`;
const store = new PostgresStore({
  connectionString: process.env.HERALD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test',
  schema,
});
await store.migrate();
await store.createTenant(tenantFixture('acme'));
const slow = await store.createEndpoint(
  endpointFixture('acme', { maxInFlight: 10, filter: null, eventTypes: ['*'] }),
);
const fast = await store.createEndpoint(
  endpointFixture('acme', { maxInFlight: 100, filter: null, eventTypes: ['*'] }),
);
const N = Number(process.argv[2] ?? 100000);
for (let i = 0; i < N; i += 2000)
  await store.insertEvents(
    Array.from({ length: 2000 }, (_, j) => newEvent('acme', [slow.id], { now: T0 + i + j })),
  );
for (let i = 0; i < 5000; i += 1000)
  await store.insertEvents(
    Array.from({ length: 1000 }, () => newEvent('acme', [fast.id], { now: T0 + N + 10 })),
  );
const now = T0 + N + 100;
let inflight = await store.claimDeliveries({ owner: 'w', limit: 200, leaseMs: 600000, now });
console.log('first claim', inflight.length, inflight.filter((c) => c.endpointId === fast.id).length);
inflight = inflight.filter((c) => c.endpointId === fast.id); // the slow endpoint's 10 stay in flight
const t = performance.now();
let rounds = 0,
  done = 0;
while (rounds < 100) {
  const results = inflight.map((c) => completion(c, 'w', { status: 'succeeded' }));
  const r = await store.completeAndClaim(results, { owner: 'w', limit: 256, leaseMs: 600000, now });
  inflight = r.claimed.filter((c) => c.endpointId === fast.id);
  done += results.length;
  rounds++;
  if (rounds > 3 && inflight.length === 0) break;
}
console.log(
  `saturated backlog ${N}: ${((performance.now() - t) / rounds).toFixed(2)} ms per round, ${done} delivered in ${rounds} rounds`,
);
await store.pool.query(`DROP SCHEMA ${schema} CASCADE`);
await store.close();
