/**
 * One store under fuzz: a migrated SQLite file or PostgreSQL schema of its
 * own, the API on it (in-process, a fake clock, a fake sender so test sends
 * and challenges never leave the machine), the seeded world, and a second
 * connection that counts rows.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApi } from '../../src/api/app.ts';
import type { Sender } from '../../src/delivery/attempt-runner.ts';
import type { Store } from '../../src/store/port.ts';
import { tempPgStore } from '../helpers/pg.ts';
import { tempSqliteStore } from '../helpers/store.ts';
import type { FuzzEnv } from './check.ts';
import type { Catalogue } from './routes.ts';
import { pgSnapshotter, type Snapshotter, sqliteSnapshotter } from './snapshot.ts';
import { World } from './world.ts';

export type StoreKind = 'sqlite' | 'postgres';

/** Every request "succeeds" at once: what is fuzzed is the API, not the network. */
const fakeSender: Sender = {
  async send() {
    return {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'ok',
      durationMs: 1,
      error: null,
    };
  },
};

/** Keeps what the server logs at error level, one line per record, for the failure report. */
function capturingLogger(lines: string[]) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      try {
        const rec = JSON.parse(String(chunk)) as {
          msg?: string;
          err?: { message?: string; code?: string; stack?: string };
        };
        const frame =
          rec.err?.stack
            ?.split('\n')
            .find((l) => l.includes('/src/'))
            ?.trim() ?? '';
        lines.push(`${rec.msg ?? ''}: ${rec.err?.code ?? ''} ${rec.err?.message ?? ''} ${frame}`.trim());
      } catch {
        lines.push(String(chunk));
      }
      done();
    },
  });
  return pino({ level: 'error' }, sink);
}

async function openStore(
  kind: StoreKind,
): Promise<{ store: Store; snapshots: Snapshotter; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const { store, path, cleanup } = await tempSqliteStore();
    return { store, snapshots: sqliteSnapshotter(path), cleanup };
  }
  const { store, schema, cleanup } = await tempPgStore('fuzz');
  return { store, snapshots: await pgSnapshotter(schema), cleanup };
}

export async function openFuzzEnv(
  kind: StoreKind,
  catalogue: Catalogue,
  ignore: RegExp | null,
): Promise<FuzzEnv & { close(): Promise<void> }> {
  const { store, snapshots, cleanup } = await openStore(kind);
  const clock = { now: Date.parse('2026-01-15T12:00:00.000Z') };
  const serverLog: string[] = [];
  const app = await buildApi({
    store,
    clock: () => clock.now,
    logger: capturingLogger(serverLog),
    sender: fakeSender,
    options: { version: '9.9.9' },
  });
  const world = new World(app, store, () => clock.now);
  await world.ensure();
  return {
    kind,
    app,
    world,
    snapshots,
    clock,
    catalogue,
    serverLog,
    statuses: new Map(),
    ignore,
    async close() {
      await app.close();
      await snapshots.close();
      await cleanup();
    },
  };
}
