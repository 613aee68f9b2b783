/**
 * The dashboard build the tests serve: packages/dashboard/dist, rebuilt
 * (`npm run build`: vite, then the .br/.gz copies) when missing or older than
 * its sources. Test files run in parallel, so the rebuild holds a lock: one
 * file builds, the others wait for it and find the build fresh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { underLock } from './file-lock.ts';

export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(DASHBOARD_DIR, 'dist');

/** The newest modification time under `path` (a file or a directory). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

function isStale(): boolean {
  // compress.mjs writes index.html.br last of all: without it the build is unfinished.
  const done = join(DIST, 'index.html.br');
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(done)) return true;
  const inputs = ['src', 'index.html', 'vite.config.ts', 'scripts', 'package.json', '../sdk/src/client'];
  const sources = Math.max(...inputs.map((p) => newest(join(DASHBOARD_DIR, p))));
  return statSync(done).mtimeMs < sources;
}

export async function ensureBuilt(): Promise<void> {
  await underLock('herald-dashboard-build', () => {
    if (!isStale()) return;
    try {
      // Vitest sets NODE_ENV=test, and Vite builds what NODE_ENV names: left
      // inherited, the served build would be React's development one (twice the size).
      const env = { ...process.env, NODE_ENV: 'production' };
      execFileSync('npm', ['run', 'build'], { cwd: DASHBOARD_DIR, env, stdio: 'pipe' });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`npm run build -w @herald/dashboard failed:\n${stdout ?? ''}${stderr ?? ''}`);
    }
  });
}

/** The built index.html's own script: the main chunk every page loads. */
export function mainChunk(): string {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const src = /<script type="module"[^>]*src="\/([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error('dist/index.html names no module script');
  return src;
}

/**
 * Fails unless `base` serves this build (the server serves the workspace's
 * build first; this catches a server pointed at another folder).
 */
export async function expectServesThisBuild(base: string): Promise<void> {
  const served = await (await fetch(`${base}/`)).text();
  if (served !== readFileSync(join(DIST, 'index.html'), 'utf8')) {
    throw new Error(`${base}/ serves another build than ${DIST}`);
  }
}
