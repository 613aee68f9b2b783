/** Child processes of the harness: forking TypeScript files, ports, memory, exits. */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Forks a TypeScript file of the harness with an IPC channel (tsx compiles it on load). */
export function forkTs(
  file: string,
  env: Record<string, string> = {},
  execArgv: string[] = [],
): ChildProcess {
  return fork(file, [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of `type` from a child, or an error if it exits first. */
export function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: unknown) => {
      const m = msg as { type?: string; error?: string };
      if (m?.type === 'error') {
        cleanup();
        reject(new Error(m.error ?? 'child failed'));
      } else if (m?.type === type) {
        cleanup();
        resolve(msg as T);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (${code ?? signal}) before sending "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Ends a child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** VmHWM (peak resident set) and VmRSS of a process in MB, or null where /proc is absent. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** Samples a process's memory every `everyMs` until stopped: the peak and the RSS curve. */
export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  peakMb = 0;
  readonly samples: { at: number; rssMb: number }[] = [];

  constructor(
    private readonly pid: number,
    private readonly everyMs = 500,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  sample(): void {
    const m = memoryOf(this.pid);
    if (!m) return;
    this.peakMb = Math.max(this.peakMb, m.peakMb);
    this.samples.push({ at: Date.now(), rssMb: m.rssMb });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
