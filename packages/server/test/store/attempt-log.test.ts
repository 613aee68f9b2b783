/**
 * The attempt log's trigger and error-kind filters in both stores, and the
 * plans behind them: the default log and `trigger=test` are each one range
 * of their own partial index, in time order, so neither walks past the
 * other's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ERROR_KIND_FILTERS,
  ERROR_KINDS_BY_FILTER,
  type StoredErrorKind,
} from '../../src/domain/log-filters.ts';
import type { Attempt, AttemptErrorKind, AttemptTrigger } from '../../src/domain/types.ts';
import type { AttemptFilter, Store } from '../../src/store/port.ts';
import { listAttemptsQuery as pgQuery } from '../../src/store/postgres/attempts.ts';
import { registerLogFunctions, listAttemptsQuery as sqliteQuery } from '../../src/store/sqlite/attempts.ts';
import { type Db, openDatabase } from '../../src/store/sqlite/db.ts';
import { migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import { STORE_KINDS } from '../flow/stores.ts';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { allPages, attemptFixture, T0, tenantFixture } from './contract-fixtures.ts';

const STORED_KINDS = Object.values(ERROR_KINDS_BY_FILTER).flat();

for (const kind of STORE_KINDS) {
  describe.skipIf(kind.skip)(`the attempt log's trigger and error-kind filters (${kind.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    /** One failed scheduled attempt per stored error kind, a 200, a manual retry, then a test send of each kind. */
    const made: Attempt[] = [];
    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant(tenantFixture('acme'));
      await store.createTenant(tenantFixture('other'));
      made.length = 0;
      let i = 0;
      const add = async (trigger: AttemptTrigger, errorKind: StoredErrorKind | null) => {
        const a = attemptFixture({
          tenantId: 'acme',
          trigger,
          createdAt: T0 + i++ * 1000,
          responseStatus: errorKind === null ? 200 : errorKind === 'http_status' ? 503 : null,
          error: errorKind === null ? null : { kind: errorKind as AttemptErrorKind, message: errorKind },
        });
        if (errorKind !== null) a.succeeded = false;
        await store.insertAttempt(a);
        made.push(a);
      };
      for (const k of STORED_KINDS) await add('scheduled', k);
      await add('scheduled', null);
      await add('manual', 'timeout');
      for (const k of STORED_KINDS) await add('test', k);
      await add('test', null);
      await store.insertAttempt(attemptFixture({ tenantId: 'other', trigger: 'test', createdAt: T0 }));
    });
    afterEach(async () => cleanup());

    const list = async (filter: AttemptFilter, limit = 4) =>
      (await allPages((cursor) => store.listAttempts('acme', filter, { limit, cursor }))).items.map(
        (a) => a.id,
      );
    const expected = (keep: (a: Attempt) => boolean) =>
      made
        .filter(keep)
        .map((a) => a.id)
        .reverse();

    it('leaves test sends out unless asked for, and merges them newest first when asked', async () => {
      expect(await list({})).toEqual(expected((a) => a.trigger !== 'test'));
      expect(await list({ triggers: ['test'] })).toEqual(expected((a) => a.trigger === 'test'));
      expect(await list({ triggers: ['manual'] })).toEqual(expected((a) => a.trigger === 'manual'));
      expect(await list({ triggers: ['manual', 'test'] }, 3)).toEqual(
        expected((a) => a.trigger !== 'scheduled'),
      );
      expect(await list({ triggers: ['scheduled', 'manual', 'test'] }, 5)).toEqual(expected(() => true));
      expect(await list({ triggers: [] })).toEqual([]);
    });

    it('filters each error kind by the stored kinds it covers, on either side of the test line', async () => {
      for (const filter of ERROR_KIND_FILTERS) {
        const covered = new Set<string>(ERROR_KINDS_BY_FILTER[filter]);
        const of = (a: Attempt) => a.error !== null && covered.has(a.error.kind);
        expect(await list({ errorKinds: [filter] }), filter).toEqual(
          expected((a) => of(a) && a.trigger !== 'test'),
        );
        expect(await list({ errorKinds: [filter], triggers: ['test'] }), filter).toEqual(
          expected((a) => of(a) && a.trigger === 'test'),
        );
      }
      const [connection, refused] = [ERROR_KINDS_BY_FILTER.connection, ERROR_KINDS_BY_FILTER.refused];
      const either = new Set<string>([...connection, ...refused]);
      expect(await list({ errorKinds: ['connection', 'refused'] })).toEqual(
        expected((a) => a.trigger !== 'test' && a.error !== null && either.has(a.error.kind)),
      );
    });

    it('never counts a test send in the summary, whatever the triggers asked', async () => {
      const real = made.filter((a) => a.trigger !== 'test');
      const all = { total: real.length, succeeded: 1, failed: real.length - 1, pending: 0 };
      expect(await store.summarizeAttempts('acme', {})).toEqual(all);
      expect(await store.summarizeAttempts('acme', { triggers: ['scheduled', 'manual', 'test'] })).toEqual(
        all,
      );
      expect(await store.summarizeAttempts('acme', { triggers: ['test'] })).toEqual({
        total: 0,
        succeeded: 0,
        failed: 0,
        pending: 0,
      });
      expect(
        await store.summarizeAttempts('acme', { triggers: ['manual', 'test'], errorKinds: ['timeout'] }),
      ).toEqual({ total: 1, succeeded: 0, failed: 1, pending: 0 });
      expect(await store.summarizeAttempts('acme', { statusCode: { exact: 200 } })).toMatchObject({
        total: 1,
      });
    });
  });
}

describe('the default log and trigger=test on SQLite: one partial index range each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-log-plan-'));
  let db: Db;
  beforeAll(() => {
    db = openDatabase(join(dir, 'plan.db'));
    migrateSqlite(db);
    registerLogFunctions(db);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const plan = (filter: AttemptFilter, before: string | null = null) => {
    const { sql, params } = sqliteQuery('acme', filter, before, 51);
    return db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((r) => (r as { detail: string }).detail);
  };

  it('walks attempts_logged_by_time for the log, attempts_tests_by_time for test sends, both when mixed', () => {
    for (const before of [null, `${T0}:att_cursor`]) {
      expect(plan({}, before)).toEqual([
        expect.stringMatching(/^SEARCH attempts USING INDEX attempts_logged_by_time \(tenant_id=\?/),
      ]);
      expect(plan({ triggers: ['test'] }, before)).toEqual([
        expect.stringMatching(/^SEARCH attempts USING INDEX attempts_tests_by_time \(tenant_id=\?/),
      ]);
    }
    expect(plan({}, `${T0}:att_cursor`)[0]).toMatch(/\(created_at,id\)<\(\?,\?\)/);
    expect(plan({ errorKinds: ['timeout'], statusCode: { class: 5 } })[0]).toMatch(
      /INDEX attempts_logged_by_time/,
    );
    const mixed = plan({ triggers: ['scheduled', 'test'] });
    expect(mixed.filter((d) => d.startsWith('SEARCH attempts'))).toEqual([
      expect.stringMatching(/USING INDEX attempts_logged_by_time/),
      expect.stringMatching(/USING INDEX attempts_tests_by_time/),
    ]);
    expect(mixed.some((d) => /^SCAN attempts/.test(d))).toBe(false);
  });

  it('reads an endpoint, an event or a type in time order from its own index, a pattern from the log', () => {
    const only = (filter: AttemptFilter) => {
      const steps = plan(filter, `${T0}:att_cursor`);
      expect(steps.some((d) => /TEMP B-TREE/.test(d))).toBe(false);
      return steps[0];
    };
    expect(only({ endpointId: 'ep_a' })).toMatch(
      /INDEX attempts_endpoint_by_time \(tenant_id=\? AND endpoint_id=\?/,
    );
    expect(only({ eventId: 'evt_a' })).toMatch(/INDEX attempts_event_by_time \(tenant_id=\? AND event_id=\?/);
    expect(only({ eventType: 'order.created' })).toMatch(
      /INDEX attempts_type_by_time \(tenant_id=\? AND event_type=\?/,
    );
    // A pattern walks the log newest first and stops at a full page, as errorKind does.
    expect(only({ eventType: 'order.*' })).toMatch(/INDEX attempts_logged_by_time \(tenant_id=\?/);
  });

  it('finds a request id prefix through the request_id index, not by walking the log', () => {
    expect(plan({ requestId: 'req_01J' })[0]).toMatch(
      /^SEARCH attempts USING INDEX \S+ \(request_id>\? AND request_id<\?\)/,
    );
  });
});

describe.skipIf(!pgAvailable)(
  'the default log and trigger=test on PostgreSQL: one partial index range each',
  () => {
    it('reads 51 rows of attempts_logged_by_time, not the 20,000 newer test sends of a tenant with most of the table', async () => {
      const { store, cleanup } = await tempPgStore('log_plan');
      try {
        // acme: 60 % of 100,000 attempts, its newest 20,000 all test sends; 19 other tenants share the rest.
        await store.pool.query(`
        INSERT INTO attempts (id, request_id, tenant_id, event_type, attempt_number, trigger, url, method,
          request_headers, request_body, duration_ms, succeeded, created_at)
        SELECT 'att_' || lpad(i::text, 8, '0'), 'req_' || i,
          CASE WHEN i % 100 < 60 THEN 'acme' ELSE 't' || (i % 19) END, 'order.created', 1,
          CASE WHEN i % 100 < 60 AND i > 66000 THEN 'test' ELSE 'scheduled' END,
          'https://example.com/hooks', 'POST', '{}', '{}', 10, true, ${T0} + i
        FROM generate_series(1, 100000) AS i`);
        await store.pool.query('ANALYZE attempts');
        const explain = async (filter: AttemptFilter) => {
          const { sql, params } = pgQuery('acme', filter, null, 51);
          const { rows } = await store.pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql!}`, params);
          return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        };
        const logged = await explain({});
        expect(logged).toMatch(
          /Index Scan Backward using attempts_logged_by_time on attempts \(actual rows=51/,
        );
        expect(logged).not.toMatch(/Rows Removed by Filter|Seq Scan|Sort/);
        const tests = await explain({ triggers: ['test'] });
        expect(tests).toMatch(
          /Index Scan Backward using attempts_tests_by_time on attempts \(actual rows=51/,
        );
        expect(tests).not.toMatch(/Rows Removed by Filter|Seq Scan/);
        const mixed = await explain({ triggers: ['scheduled', 'test'] });
        expect(mixed).toMatch(/Merge Append/);
        expect(mixed).toMatch(/attempts_logged/);
        expect(mixed).toMatch(/attempts_tests/);
        expect(mixed).not.toMatch(/Seq Scan/);
        // A later page: the cursor's (created_at, id) is where the same range scan starts.
        const { sql, params } = pgQuery('acme', {}, `${T0 + 30_000}:att_00030000`, 51);
        const paged = (
          await store.pool.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql!}`, params)
        ).rows.map((r: Record<string, string>) => r['QUERY PLAN']);
        expect(paged.join('\n')).toMatch(
          /Index Scan Backward using attempts_logged_by_time on attempts \(actual rows=51/,
        );
        expect(paged.join('\n')).toMatch(/Index Cond: .*ROW\(created_at, id\) < ROW/);
        expect(paged.join('\n')).not.toMatch(/Sort|Seq Scan/);
        // A request id prefix: the few ids it names, through the request_id index.
        expect(await explain({ requestId: 'req_4000' })).toMatch(/attempts_request_id_key/);
      } finally {
        await cleanup();
      }
    }, 60_000);
  },
);
