import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/herald.js', import.meta.url));

export interface HeraldProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/**
 * Starts `herald start` as a real child process (the same bin users run) and
 * resolves once it logs that it listens. Port 0: the OS picks a free port, read
 * back from the "Herald started" log line.
 */
export async function spawnHerald(
  env: Record<string, string>,
  args: string[] = ['start'],
): Promise<HeraldProcess> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, HERALD_PORT: '0', HERALD_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const line of out.split('\n')) {
        if (!line.includes('Herald started')) continue;
        try {
          const parsed = JSON.parse(line) as { url?: string | null };
          resolve(parsed.url ?? '');
        } catch {
          // not a complete JSON line yet
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    void exited.then((code) => reject(new Error(`herald exited (${code}) before it started:\n${out}`)));
  });
  return { url, child, output: () => out, exited };
}
