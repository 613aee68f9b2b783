/**
 * The fuzz suite for one store: one test per write route the app has, each
 * a fast-check property over requests generated from the route's schemas
 * (see check.ts for what must hold), plus one test that fails while a write
 * route has no generator.
 *
 *   HERALD_FUZZ_RUNS=N     cases per route on every store (default 200 on SQLite, about 5,000 cases;
 *                          60 on PostgreSQL, whose answers differ from SQLite's only where the
 *                          stores do: ranges, text, constraints)
 *   HERALD_FUZZ_SEED=S     replays a run (every run prints its seed)
 *   HERALD_FUZZ_IGNORE=RE  lets violations whose report matches RE pass, to look past known bugs
 *   HERALD_FUZZ_VERBOSE=1  also prints, per route, how many cases got which status
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/app.ts';
import { tempSqliteStore } from '../helpers/store.ts';
import { caseArbitrary } from './cases.ts';
import { checkCase, type FuzzEnv, IgnoredViolation, Violation } from './check.ts';
import { openFuzzEnv, type StoreKind } from './env.ts';
import { type Catalogue, type RouteSpec, readCatalogue } from './routes.ts';

const GIVEN_RUNS = process.env.HERALD_FUZZ_RUNS ? Number(process.env.HERALD_FUZZ_RUNS) : null;
const DEFAULT_RUNS: Record<StoreKind, number> = { sqlite: 200, postgres: 60 };
const SEED = process.env.HERALD_FUZZ_SEED
  ? Number(process.env.HERALD_FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);
const IGNORE = process.env.HERALD_FUZZ_IGNORE ? new RegExp(process.env.HERALD_FUZZ_IGNORE, 's') : null;
/** Shrinking a counterexample stops after this long; what it has by then is reported. */
const SHRINK_MS = 10_000;
/**
 * A route's cases stop after this long (and the count says how many ran):
 * a test that vitest times out would go on running beside the next one and
 * change the database under it.
 */
const routeBudgetMs = (runs: number) => 20_000 + runs * 100;

/** Each route's own seed, so one route's cases do not depend on how many another one ran. */
function routeSeed(key: string): number {
  let h = SEED | 0;
  for (const ch of key) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/** The routes, read from an app built only for that: vitest needs the test list before any store opens. */
async function loadCatalogue(): Promise<Catalogue> {
  const { store, cleanup } = await tempSqliteStore();
  const app = await buildApi({ store, options: { version: '9.9.9' } });
  try {
    return await readCatalogue(app);
  } finally {
    await app.close();
    await cleanup();
  }
}

function describeFailure<T>(route: RouteSpec, details: fc.RunDetails<T>): string {
  const err = details.errorInstance;
  const what =
    err instanceof Violation ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  return [
    `${route.key}: counterexample after ${details.numRuns} case(s), shrunk ${details.numShrinks} time(s)`,
    what,
    `replay: HERALD_FUZZ_SEED=${SEED} (fast-check seed ${details.seed}, path ${details.counterexamplePath})`,
  ].join('\n');
}

export async function defineFuzzSuite(kind: StoreKind, opts: { skip?: boolean } = {}): Promise<void> {
  const RUNS = GIVEN_RUNS ?? DEFAULT_RUNS[kind];
  const catalogue = await loadCatalogue();
  const counts = new Map<string, number>();
  const interrupted = new Set<string>();

  describe.skipIf(opts.skip === true)(`API fuzz on ${kind}`, () => {
    let env: (FuzzEnv & { close(): Promise<void> }) | null = null;
    let started = 0;

    beforeAll(async () => {
      started = performance.now();
      env = await openFuzzEnv(kind, catalogue, IGNORE);
    });

    afterAll(async () => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const perRoute = [...counts]
        .map(([k, n]) => `${k} ${n}${interrupted.has(k) ? ' (time limit)' : ''}`)
        .join(', ');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`[herald fuzz] ${kind}: ${total} cases in ${seconds} s, seed ${SEED}: ${perRoute}`);
      if (process.env.HERALD_FUZZ_VERBOSE) {
        for (const [key, statuses] of env?.statuses ?? []) {
          const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
          console.log(`[herald fuzz]   ${key}: ${byStatus.join(' ')}`);
        }
      }
      await env?.close();
    });

    it('has a generator for every write route', () => {
      expect(catalogue.problems).toEqual([]);
    });

    for (const route of catalogue.writes) {
      it(
        route.key,
        async () => {
          const live = env!;
          let shrinkUntil: number | null = null;
          const property = fc.asyncProperty(caseArbitrary(route, catalogue), async (c) => {
            // Past the budget every candidate "passes", which ends shrinking with the smallest failure so far.
            if (shrinkUntil !== null && Date.now() > shrinkUntil) return;
            try {
              await checkCase(live, route, c);
            } catch (err) {
              if (err instanceof IgnoredViolation) return;
              shrinkUntil ??= Date.now() + SHRINK_MS;
              throw err;
            }
          });
          const details = await fc.check(property, {
            numRuns: RUNS,
            seed: routeSeed(route.key),
            plugins: [fc.interruptAfterTimeLimit(routeBudgetMs(RUNS))],
          });
          counts.set(route.key, details.numRuns);
          if (details.interrupted) interrupted.add(route.key);
          if (details.failed) throw new Error(describeFailure(route, details));
        },
        routeBudgetMs(RUNS) + SHRINK_MS + 60_000,
      );
    }
  });
}
