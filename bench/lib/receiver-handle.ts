/** The harness's side of the receiver process: start it, read its counters, wait for a drain. */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Percentiles } from './percentiles.ts';
import { forkTs, nextMessage, sleep, stopChild } from './procs.ts';

const RECEIVER = fileURLToPath(new URL('../receiver.ts', import.meta.url));

export interface KindCounters {
  requests: number;
  unique: number;
  firstAt: number | null;
  lastAt: number | null;
}

export interface ReceiverStats {
  counters: { ok: KindCounters; fail: KindCounters; hang: KindCounters; warmup: KindCounters };
  latency: Percentiles | null;
}

export interface Receiver {
  /** Base URL of the first listener (stats live there). */
  url: string;
  /** One base URL per listener; each is its own origin. */
  origins: string[];
  child: ChildProcess;
  stats(withLatency?: boolean): Promise<ReceiverStats>;
  reset(): Promise<void>;
  /**
   * Resolves when `/ok/*` paths have `expected` distinct deliveries, or when
   * nothing new arrived for `stallMs` or BENCH_MAX_WAIT_MS (10 min) passed
   * (then `complete` is false).
   */
  waitForOk(expected: number, stallMs: number): Promise<{ complete: boolean; stats: ReceiverStats }>;
  /** The same for warm-up deliveries to healthy endpoints. */
  waitForWarmup(expected: number, stallMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** A run still progressing after this long is cut short and reported incomplete (a clogged contender). */
const MAX_WAIT_MS = Number(process.env.BENCH_MAX_WAIT_MS ?? 600_000);

async function waitFor(
  stats: () => Promise<ReceiverStats>,
  kind: 'ok' | 'warmup',
  expected: number,
  stallMs: number,
): Promise<boolean> {
  let last = -1;
  let lastChange = Date.now();
  const deadline = lastChange + MAX_WAIT_MS;
  for (;;) {
    const { unique } = (await stats()).counters[kind];
    if (unique >= expected) return true;
    if (Date.now() > deadline) return false;
    if (unique !== last) {
      last = unique;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      return false;
    }
    await sleep(50);
  }
}

/** Starts the receiver on `ports` (0 = any free port), one listener each. */
export async function startReceiver(
  ports: number[] = [0],
  env: Record<string, string> = {},
): Promise<Receiver> {
  const child = forkTs(RECEIVER, { BENCH_RECEIVER_PORTS: ports.join(','), ...env });
  const { ports: bound } = await nextMessage<{ ports: number[] }>(child, 'listening');
  const origins = bound.map((p) => `http://127.0.0.1:${p}`);
  const url = origins[0]!;
  const stats = async (withLatency = false) =>
    (await (await fetch(`${url}/__stats${withLatency ? '?latency=1' : ''}`)).json()) as ReceiverStats;
  return {
    url,
    origins,
    child,
    stats,
    async reset() {
      await fetch(`${url}/__reset`, { method: 'POST' });
    },
    async waitForOk(expected, stallMs) {
      const complete = await waitFor(stats, 'ok', expected, stallMs);
      return { complete, stats: await stats(true) };
    },
    waitForWarmup: (expected, stallMs) => waitFor(stats, 'warmup', expected, stallMs),
    stop: () => stopChild(child, 2000),
  };
}
