/**
 * A lock shared by the test files, which vitest runs in parallel processes:
 * held while one of them unpacks the bundled Chromium or rebuilds the
 * dashboard, so the others wait for a finished result instead of reading a
 * half-written one. A lock left by a dead process is taken over.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Runs `fn` holding the lock called `name` (a directory in the temp dir: mkdir is atomic). */
export async function underLock<T>(name: string, fn: () => Promise<T> | T, waitMs = 180_000): Promise<T> {
  const lock = join(tmpdir(), `${name}.lock`);
  const owner = join(lock, 'pid');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = existsSync(owner) ? Number(readFileSync(owner, 'utf8')) : 0;
    if (pid > 0 && !isProcessAlive(pid)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`${lock} is still held after ${waitMs} ms; remove it if stale`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
