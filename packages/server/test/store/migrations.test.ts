import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMigrations, SQLITE_MIGRATIONS_DIR } from '../../src/store/migrations.ts';
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
