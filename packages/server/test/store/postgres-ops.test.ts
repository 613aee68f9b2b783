import { describe } from 'vitest';
import type { CompletedAttempt } from '../../src/store/port.ts';
import { PgOps } from '../../src/store/postgres/ops/ops-store.ts';
import { recordRollup } from '../../src/store/postgres/ops/rollup.ts';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { runOpsContract } from './ops-contract.ts';

/**
 * Until PostgresStore exposes `ops` and records the rollup inside its
 * completion transaction (see docs/operations.md, "PostgreSQL wiring"), the
 * suite attaches both from outside, the rollup just after each completion commits.
 */
async function wiredPgStore() {
  const made = await tempPgStore('ops');
  const store = made.store as typeof made.store & { ops?: PgOps };
  if (!store.ops) {
    const complete = store.completeDeliveries.bind(store);
    Object.assign(store, {
      ops: new PgOps(store.pool),
      async completeDeliveries(results: CompletedAttempt[], now: number) {
        await complete(results, now);
        await recordRollup(
          store.pool,
          results.map((r) => r.attempt),
        );
      },
    });
  }
  return made;
}

describe.skipIf(!pgAvailable)('PostgreSQL', () => {
  runOpsContract('postgres', wiredPgStore);
});
