import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMigrations, SQLITE_MIGRATIONS_DIR } from '../../src/store/migrations.ts';
import { createSqliteStore } from '../../src/store/open.ts';
import { openDatabase } from '../../src/store/sqlite/db.ts';
import { migrateSqlite } from '../../src/store/sqlite/migrate.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-migrations-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const applied = (path: string) => {
  const db = openDatabase(path);
  try {
    return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
  } finally {
    db.close();
  }
};

describe('migration files', () => {
  it('lists NNNN_name.sql files by version and ignores the rest', () => {
    writeFileSync(join(dir, '0010_later.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0002_second.sql'), 'SELECT 2;');
    writeFileSync(join(dir, 'README.md'), '# notes');
    writeFileSync(join(dir, '3_short.sql'), 'SELECT 3;');
    expect(listMigrations(dir).map((m) => [m.version, m.name, m.sql])).toEqual([
      [2, 'second', 'SELECT 2;'],
      [10, 'later', 'SELECT 1;'],
    ]);
  });

  it('refuses two files with one version', () => {
    writeFileSync(join(dir, '0002_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0002_b.sql'), 'SELECT 1;');
    expect(() => listMigrations(dir)).toThrow(/two migrations share version 2/);
  });

  it('ships the SQLite schema with the package', () => {
    expect(listMigrations(SQLITE_MIGRATIONS_DIR)[0]).toMatchObject({ version: 1, name: 'initial' });
  });
});

describe('applying migrations to SQLite', () => {
  it('applies each file once, records it, and rolls a failing file back whole', () => {
    const path = join(dir, 'h.db');
    const files = join(dir, 'sql');
    mkdirSync(files);
    writeFileSync(join(files, '0001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(files, '0002_b.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
    const db = openDatabase(path);
    try {
      expect(() => migrateSqlite(db, undefined, files)).toThrow(/migration 2_b failed/);
      const tables = () =>
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables()).toEqual(['a', 'schema_migrations']);
      writeFileSync(join(files, '0002_b.sql'), 'CREATE TABLE b (x INTEGER);');
      migrateSqlite(db, undefined, files);
      migrateSqlite(db, undefined, files);
      expect(tables()).toEqual(['a', 'b', 'schema_migrations']);
    } finally {
      db.close();
    }
    expect(applied(path)).toEqual([
      { version: 1, name: 'a' },
      { version: 2, name: 'b' },
    ]);
  });

  it('warns when the database is newer than this Herald', () => {
    const db = openDatabase(join(dir, 'h.db'));
    try {
      migrateSqlite(db);
      db.prepare('INSERT INTO schema_migrations VALUES (999, ?, 0)').run('from_the_future');
      const warnings: object[] = [];
      migrateSqlite(db, { warn: (obj) => warnings.push(obj) });
      expect(warnings).toEqual([
        { databaseVersion: 999, knownVersion: listMigrations(SQLITE_MIGRATIONS_DIR).at(-1)!.version },
      ]);
    } finally {
      db.close();
    }
  });

  it('lets several processes migrate one file at once: each file is applied exactly once', async () => {
    const path = join(dir, 'shared.db');
    const files = join(dir, 'sql');
    mkdirSync(files);
    // Slow enough that the processes overlap: without the write lock taken
    // up front, two of them would both find the file pending and collide.
    writeFileSync(
      join(files, '0001_slow.sql'),
      `CREATE TABLE big (x INTEGER);
       WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)
       INSERT INTO big SELECT i FROM c;`,
    );
    writeFileSync(join(files, '0002_more.sql'), 'CREATE TABLE more (x INTEGER);');
    const src = (file: string) =>
      JSON.stringify(new URL(`../../src/store/sqlite/${file}`, import.meta.url).href);
    // .mts: an ES module wherever the temp directory is.
    const script = join(dir, 'migrate.mts');
    writeFileSync(
      script,
      `import { openDatabase } from ${src('db.ts')};
       import { migrateSqlite } from ${src('migrate.ts')};
       const startAt = Number(process.argv[2]);
       const db = openDatabase(${JSON.stringify(path)});
       while (Date.now() < startAt) {} // start together, after every process has loaded
       migrateSqlite(db, undefined, ${JSON.stringify(files)});
       db.close();`,
    );
    const startAt = Date.now() + 1500;
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, String(startAt)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(applied(path)).toEqual([
      { version: 1, name: 'slow' },
      { version: 2, name: 'more' },
    ]);
    const db = openDatabase(path);
    expect(db.prepare('SELECT count(*) FROM big').pluck().get()).toBe(300000);
    db.close();
  });
});

describe('upgrading a database that has a backlog', () => {
  it('gives every endpoint with due deliveries a queue head, so the claim finds them (0006)', async () => {
    const path = join(dir, 'old.db');
    const older = join(dir, 'older');
    mkdirSync(older);
    for (const m of listMigrations(SQLITE_MIGRATIONS_DIR).filter((m) => m.version <= 5)) {
      writeFileSync(join(older, `${String(m.version).padStart(4, '0')}_${m.name}.sql`), m.sql);
    }
    const T = Date.UTC(2026, 10, 23, 12, 0, 0);
    const db = openDatabase(path);
    try {
      migrateSqlite(db, undefined, older);
      db.prepare("INSERT INTO tenants (id, name, created_at, updated_at) VALUES ('t1', 'T1', ?, ?)").run(
        T,
        T,
      );
      const endpoint = db.prepare(
        `INSERT INTO endpoints (id, tenant_id, url, status, secrets, signature, envelope, format, method, headers,
           timeout_ms, retry, overflow, max_in_flight, created_at, updated_at)
         VALUES (?, 't1', 'https://example.com/h', 'active', '[{"value":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","expiresAt":null}]',
           '{"scheme":"standard-webhooks"}', 'standard', 'json', 'POST', '{}', 5000,
           '{"maxAttempts":3,"schedule":[5]}', 'buffer', 10, ?, ?)`,
      );
      endpoint.run('ep_a', T, T);
      endpoint.run('ep_b', T, T);
      const event = db.prepare(
        "INSERT INTO events (id, tenant_id, type, version, payload, created_at) VALUES (?, 't1', 'order.created', 1, '{}', ?)",
      );
      const delivery = db.prepare(
        `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, next_attempt_at, created_at, updated_at)
         VALUES (?, 't1', ?, ?, 'pending', ?, ?, ?)`,
      );
      // ep_a: two due now and one later; ep_b: only a retry due in a minute.
      event.run('evt_1', T);
      delivery.run('dlv_1', 'ep_a', 'evt_1', T, T, T);
      delivery.run('dlv_2', 'ep_a', 'evt_1', T + 1, T, T);
      delivery.run('dlv_3', 'ep_a', 'evt_1', T + 60_000, T, T);
      delivery.run('dlv_4', 'ep_b', 'evt_1', T + 60_000, T, T);
      migrateSqlite(db);
      expect(db.prepare('SELECT endpoint_id, due_at FROM endpoint_queue ORDER BY endpoint_id').all()).toEqual(
        [
          { endpoint_id: 'ep_a', due_at: T },
          { endpoint_id: 'ep_b', due_at: T + 60_000 },
        ],
      );
    } finally {
      db.close();
    }

    const store = await createSqliteStore(path);
    try {
      await store.migrate();
      const claim = (now: number) => store.claimDeliveries({ owner: 'w', limit: 10, leaseMs: 5000, now });
      expect((await claim(T + 1)).map((c) => c.id)).toEqual(['dlv_1', 'dlv_2']);
      expect(await store.nextDueAt()).toBe(T + 60_000);
      expect((await claim(T + 60_000)).map((c) => c.id).sort()).toEqual(['dlv_3', 'dlv_4']);
    } finally {
      await store.close();
    }
  });
});
