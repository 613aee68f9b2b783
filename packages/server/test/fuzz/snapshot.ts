/**
 * What "a refused request stored nothing" is checked against: for every
 * table of the store (listed from the database itself, so a new table is
 * covered), its row count and the latest value of each `*_at` column. The
 * fake clock moves on before every case, so an UPDATE that stamps a time
 * shows up as a new maximum, and a 4xx that changed a row is caught without
 * reading whole tables. `last_used_at` is left out: authenticating a request
 * that is then refused may record that the key was used.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { PG_URL } from '../helpers/pg.ts';

export type Snapshot = Record<string, number | string | null>;

export interface Snapshotter {
  take(): Promise<Snapshot>;
  close(): Promise<void>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const isTimeColumn = (column: string) => column.endsWith('_at') && !/last_used/.test(column);

/** One scan per table: its row count and the latest value of each time column, as one text. */
function selectFor(tables: Map<string, string[]>, dialect: 'sqlite' | 'postgres'): string {
  const text = (expr: string) =>
    dialect === 'sqlite' ? `ifnull(${expr}, '-')` : `coalesce((${expr})::text, '-')`;
  const parts: string[] = [];
  for (const [table, columns] of tables) {
    const values = [text('count(*)'), ...columns.filter(isTimeColumn).map((c) => text(`max(${quote(c)})`))];
    const joined = dialect === 'sqlite' ? values.join(` || ',' || `) : `concat_ws(',', ${values.join(', ')})`;
    parts.push(`(SELECT ${joined} FROM ${quote(table)}) AS ${quote(table)}`);
  }
  return `SELECT ${parts.join(', ')}`;
}

/** A read-only second connection to the store's file (WAL lets it read while the store writes). */
export function sqliteSnapshotter(path: string): Snapshotter {
  const db = new Database(path, { readonly: true });
  const names = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  const tables = new Map<string, string[]>();
  for (const name of names) {
    const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[];
    tables.set(name, columns);
  }
  const select = db.prepare(selectFor(tables, 'sqlite'));
  return {
    async take() {
      return select.get() as Snapshot;
    },
    async close() {
      db.close();
    },
  };
}

export async function pgSnapshotter(schema: string): Promise<Snapshotter> {
  const client = new pg.Client({ connectionString: PG_URL });
  client.on('error', () => {});
  await client.connect();
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const tables = new Map<string, string[]>();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? [];
    columns.push(row.column_name);
    tables.set(row.table_name, columns);
  }
  if (tables.size === 0) throw new Error(`schema ${schema} has no tables: was the store migrated?`);
  await client.query(`SET search_path TO ${quote(schema)}`);
  const sql = selectFor(tables, 'postgres');
  return {
    async take() {
      const result = await client.query(sql);
      const snap: Snapshot = {};
      for (const [k, v] of Object.entries(result.rows[0] ?? {})) snap[k] = v === null ? null : String(v);
      return snap;
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** `table: before → after` (row count first, then each time column's latest) for every table that differs. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (String(a) !== String(b)) out.push(`${key}: ${a} → ${b}`);
  }
  return out;
}
