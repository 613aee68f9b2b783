/** What only the SQLite adapter promises: URLs, pragmas, query plans, its own safety nets. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore, openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/port.ts';
import { CLAIM_DUE_SQL, CLAIM_HEADS_SQL } from '../../src/store/sqlite/claim.ts';
import { openDatabase } from '../../src/store/sqlite/db.ts';
import { migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import { tempSqliteStore } from '../helpers/store.ts';
import {
  completion,
  endpointFixture,
  expectHeraldError,
  newEvent,
  storeEvent,
  T0,
  tenantFixture,
} from './contract-fixtures.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('opens sqlite:<path> relative to the working directory, creating its folder', async () => {
    const file = join(dir, 'nested', 'deeper', 'herald.db');
    const store = await openStore(`sqlite:${relative(process.cwd(), file)}`);
    try {
      await store.migrate();
      await store.createTenant(tenantFixture('acme'));
      expect(existsSync(file)).toBe(true);
    } finally {
      await store.close();
    }
    const again = await openStore(`sqlite:${file}`);
    try {
      expect(await again.getTenant('acme')).not.toBeNull();
    } finally {
      await again.close();
    }
  });

  it('opens a private in-memory database', async () => {
    const store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant(tenantFixture('acme'));
    expect(await store.getTenant('acme')).not.toBeNull();
    await store.close();
    await store.close(); // closing twice is harmless
  });

  it('names no password when it refuses an unknown scheme', async () => {
    const other = await expectHeraldError(openStore('mysql://root:hunter2@db/herald'), 'config_invalid');
    expect(other.message).toMatch(/sqlite:.*postgres:\/\//);
    expect(other.message).not.toContain('hunter2');
    await expectHeraldError(openStore('sqlite:'), 'config_invalid');
  });
});

describe('the connection', () => {
  it('runs in WAL mode with foreign keys, a busy timeout and the chosen durability', () => {
    const normal = openDatabase(join(dir, 'a.db'));
    const full = openDatabase(join(dir, 'b.db'), { synchronous: 'FULL' });
    try {
      expect(normal.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(normal.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(normal.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(normal.pragma('synchronous', { simple: true })).toBe(1);
      expect(full.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      normal.close();
      full.close();
    }
  });

  it("claims by walking the queue heads, then one range of each endpoint's due index", () => {
    const db = openDatabase(join(dir, 'plan.db'));
    try {
      migrateSqlite(db);
      const plan = (sql: string, ...params: unknown[]) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${sql}`)
          .all(...params)
          .map((r) => (r as { detail: string }).detail);
      const heads = plan(CLAIM_HEADS_SQL, { now: T0, afterDue: 0, afterId: '', limit: 10 });
      expect(heads[0]).toMatch(/^SEARCH q USING (COVERING )?INDEX endpoint_queue_due/);
      expect(heads.some((d) => /TEMP B-TREE/.test(d))).toBe(false);
      const due = plan(CLAIM_DUE_SQL, 'ep_1', T0, 10);
      expect(due[0]).toMatch(
        /^SEARCH deliveries USING (COVERING )?INDEX deliveries_endpoint_due \(endpoint_id=\? AND next_attempt_at/,
      );
      expect(due.some((d) => /TEMP B-TREE/.test(d))).toBe(false);
    } finally {
      db.close();
    }
  });
});

describe('safety nets', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await tempSqliteStore());
    await store.createTenant(tenantFixture('acme'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('makes a delivery due when its endpoint was activated before the event was stored', async () => {
    // The caller saw the endpoint paused and parked the delivery; the activation
    // (and its unpark) committed first. The delivery must not stay parked.
    const ep = await store.createEndpoint(endpointFixture('acme'));
    const [inserted] = await store.insertEvents([newEvent('acme', [ep.id], { due: null })]);
    expect((await store.getDelivery(inserted!.deliveryIds[0]!))?.nextAttemptAt).toBe(T0);
  });

  it('activating an endpoint makes one chunk of its parked backlog due, and a claim the next when it runs dry', async () => {
    const ep = await store.createEndpoint(endpointFixture('acme', { status: 'paused', maxInFlight: 100 }));
    const events = Array.from({ length: 2_500 }, (_, i) =>
      newEvent('acme', [ep.id], { now: T0 + i, due: null }),
    );
    await store.insertEvents(events);
    const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
    const stillParked = () =>
      db
        .prepare("SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NULL")
        .pluck()
        .get();
    const round = async (now: number) => {
      const taken = await store.claimDeliveries({ owner: 'w', limit: 100, leaseMs: 1000, now });
      await store.completeDeliveries(
        taken.map((c) => completion(c, 'w', { status: 'succeeded' }, { now })),
        now,
      );
      return taken.length;
    };
    await store.updateEndpoint('acme', ep.id, { status: 'active' }, T0 + 5_000);
    expect(stillParked()).toBe(1_500);
    for (let i = 0; i < 10; i++) expect(await round(T0 + 5_001 + i)).toBe(100);
    expect(stillParked()).toBe(1_500);
    expect(await round(T0 + 5_011)).toBe(100);
    expect(stillParked()).toBe(400);
  });

  it('accepts the same completion batch twice (a retried group commit)', async () => {
    const ep = await store.createEndpoint(endpointFixture('acme'));
    await storeEvent(store, 'acme', [ep.id]);
    const [claimed] = await store.claimDeliveries({ owner: 'w1', limit: 1, leaseMs: 1000, now: T0 });
    const result = completion(claimed!, 'w1', { status: 'succeeded' });
    await store.completeDeliveries([result], T0 + 1);
    await store.completeDeliveries([result], T0 + 2);
    expect((await store.listAttempts('acme', {}, { limit: 10 })).data).toHaveLength(1);
    expect((await store.getDelivery(claimed!.id))?.completedAt).toBe(T0 + 1);
  });

  it('refuses an event for an unknown tenant with a message that names it', async () => {
    const err = await expectHeraldError(
      store.insertEvents([newEvent('acme', []), newEvent('ghost', [])]),
      'not_found',
    );
    expect(err.message).toContain("tenant 'ghost' was not found");
  });

  it('cancels a delivery whose endpoint was deleted while its event was being stored', async () => {
    const ep = await store.createEndpoint(endpointFixture('acme'));
    const live = await store.createEndpoint(endpointFixture('acme'));
    await store.deleteEndpoint('acme', ep.id, T0);
    const { deliveryIds } = await storeEvent(store, 'acme', [ep.id, live.id]);
    const claimed = await store.claimDeliveries({ owner: 'w1', limit: 10, leaseMs: 1000, now: T0 + 1 });
    expect(claimed.map((c) => c.id)).toEqual([deliveryIds[1]]);
    expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({
      status: 'cancelled',
      completedAt: T0 + 1,
    });
    expect((await store.summarizeAttempts('acme', {})).pending).toBe(1);
  });
});

describe('createSqliteStore', () => {
  it('is not migrated until asked', async () => {
    const store = createSqliteStore(join(dir, 'fresh.db'));
    await expect(store.getTenant('acme')).rejects.toThrow(/no such table/);
    await store.migrate();
    expect(await store.getTenant('acme')).toBeNull();
    await store.close();
  });
});
