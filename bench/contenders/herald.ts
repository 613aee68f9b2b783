/** The herald contender: Herald started by its CLI in its own process, fed through its batch API. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleLockWaits } from '../lib/lock-waits.ts';
import { freePort, MemorySampler, sleep, stopChild } from '../lib/procs.ts';
import type { Receiver } from '../lib/receiver-handle.ts';
import { BENCH_SECRET, heraldTarget, maxInFlightOf, runTag, type Workload } from '../lib/workload.ts';
import type { ContenderName, RawRun } from './measure.ts';
import { expectedOk, STALL_MS, startProducer, warmupWait } from './producer-handle.ts';

const BIN = fileURLToPath(new URL('../../packages/server/bin/herald.js', import.meta.url));
const API_KEY = 'hk_bench_admin_key_0123456789abcdef';
const TENANT = 'bench';

export interface HeraldOptions {
  /** `sqlite` (a fresh file in a temp dir) or a `postgres://` URL (each run gets a fresh schema in it). */
  database: 'sqlite' | string;
  /** Directory for a V8 CPU profile of the Herald process, written when it exits. */
  cpuProfDir?: string;
}

export function postgresAdapterExists(): boolean {
  return existsSync(fileURLToPath(new URL('../../packages/server/src/store/postgres', import.meta.url)));
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Herald answered ${res.status} to ${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * Herald as the workload asks: one process doing everything, or (with
 * `workers`) an API process plus that many worker processes on the same
 * database. `child` is the API process (its memory is the one sampled).
 */
async function startHerald(
  opts: HeraldOptions,
  dir: string,
  workload: Workload,
): Promise<{ child: ChildProcess; url: string; workers: ChildProcess[] }> {
  if (!workload.workers) return { ...(await startProcess(opts, dir, workload, 'all')), workers: [] };
  const api = await startProcess(opts, dir, workload, 'api');
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < workload.workers; i++)
      workers.push((await startProcess(opts, dir, workload, 'worker')).child);
  } catch (err) {
    for (const w of [api.child, ...workers]) await stopChild(w, 2000);
    throw err;
  }
  return { ...api, workers };
}

async function startProcess(
  opts: HeraldOptions,
  dir: string,
  workload: Workload,
  role: 'all' | 'api' | 'worker',
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const databaseUrl = opts.database === 'sqlite' ? `sqlite:${join(dir, 'herald.db')}` : opts.database;
  const profArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
  // Node flags for Herald's processes only (e.g. --max-old-space-size=96), not for the bench itself.
  const extra = process.env.BENCH_HERALD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...profArgs, ...extra, BIN, 'start'], {
    env: {
      ...process.env,
      HERALD_PORT: String(port),
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: databaseUrl,
      HERALD_API_KEY: API_KEY,
      HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
      HERALD_LOG_LEVEL: 'warn',
      HERALD_SHUTDOWN_TIMEOUT_MS: '3000',
      HERALD_WORKER_CONCURRENCY: String(workload.concurrency),
      HERALD_ROLE: role,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`herald exited (${child.exitCode}) before it was ready`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stopChild(child, 1000);
  throw new Error('herald did not answer /healthz within 30 s');
}

/** The PostgreSQL URL with a fresh schema of its own (Herald creates it), so every run starts empty. */
function freshSchema(databaseUrl: string): { url: string; schema: string } {
  const schema = `herald_bench_${runTag()}`;
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return { url: url.toString(), schema };
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export async function runHerald(
  name: ContenderName,
  variant: string,
  workload: Workload,
  targets: string[],
  receiver: Receiver,
  opts: HeraldOptions,
): Promise<RawRun> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const pgTarget = opts.database === 'sqlite' ? null : freshSchema(opts.database);
  const { child, url, workers } = await startHerald(
    pgTarget ? { ...opts, database: pgTarget.url } : opts,
    dir,
    workload,
  );
  const memory = new MemorySampler(child.pid!).start();
  const locks = pgTarget ? sampleLockWaits(pgTarget.url) : null;
  let producer: ChildProcess | null = null;
  try {
    await api(url, 'POST', '/v1/tenants', { id: TENANT, name: 'Benchmark' });
    const endpointIds: string[] = [];
    for (const [i, target] of targets.entries()) {
      const created = (await api(url, 'POST', `/v1/tenants/${TENANT}/endpoints`, {
        ...heraldTarget(workload, target),
        name: `bench-${i}`,
        secret: BENCH_SECRET,
        maxInFlight: maxInFlightOf(workload, workload.endpoints[i] ?? 'ok'),
        timeoutMs: workload.timeoutMs,
        ...(workload.transform ? { transform: workload.transform } : {}),
        // While the receiver side is down the endpoint is paused, so the backlog waits, parked.
        ...(workload.downDuringIngest ? { status: 'paused' } : {}),
      })) as { id: string };
      endpointIds.push(created.id);
    }
    const started = await startProducer(
      {
        type: 'start',
        mode: 'herald',
        workload,
        targets,
        herald: { url, apiKey: API_KEY, tenantId: TENANT },
      },
      warmupWait(workload, receiver),
    );
    producer = started.child;
    let drainStartAt = started.accepted.firstSendAt;
    if (workload.downDuringIngest) {
      drainStartAt = Date.now();
      for (const id of endpointIds)
        await api(url, 'PATCH', `/v1/tenants/${TENANT}/endpoints/${id}`, { status: 'active' });
    }
    const { complete, stats } = await receiver.waitForOk(expectedOk(workload), STALL_MS);
    memory.stop();
    const lockWaits = await locks?.stop();
    memory.sample();
    return {
      contender: name,
      variant,
      events: workload.events,
      expectedOk: expectedOk(workload),
      accepted: started.accepted,
      drainStartAt,
      complete,
      stats,
      memoryOf: 'herald process',
      peakRssMb: memory.peakMb,
      rssSamples: memory.samples,
      ...(lockWaits ? { lockWaits } : {}),
    };
  } finally {
    await locks?.stop();
    memory.stop();
    if (producer) await stopChild(producer, 2000);
    for (const worker of workers) await stopChild(worker, 15_000);
    await stopChild(child, 15_000);
    rmSync(dir, { recursive: true, force: true });
    if (pgTarget) await dropSchema(pgTarget.url, pgTarget.schema);
  }
}

/**
 * The main thread's profile in a directory: the largest `.cpuprofile` (tsx's
 * module-loader thread writes a small one of its own).
 */
export function mainThreadProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  files.sort((a, b) => statSync(b).size - statSync(a).size);
  return files[0];
}
