/**
 * Copies the files the server reads at run time into dist/, for the
 * published package (which ships dist/ and bin/, no sources):
 * - the SQL migrations (always: cheap, and `npm run build` then makes a
 *   complete package);
 * - with `--dashboard`, the built dashboard (from `npm pack`'s prepack: in the
 *   repository the server serves ../dashboard/dist directly, so no copy can
 *   go stale there).
 * `--out <dir>` writes into another package folder's dist/ (the package test
 * stages a copy of the package, so it never rewrites the dist/ other tests run).
 */
import { cpSync, existsSync, rmSync } from 'node:fs';

import { join } from 'node:path';

const root = new URL('../', import.meta.url);
const at = (path) => new URL(path, root).pathname;
const outFlag = process.argv.indexOf('--out');
const dist = outFlag > 0 ? join(process.argv[outFlag + 1], 'dist') : at('dist');

rmSync(join(dist, 'migrations'), { recursive: true, force: true });
cpSync(at('src/store/migrations'), join(dist, 'migrations'), { recursive: true });

if (process.argv.includes('--dashboard')) {
  const built = at('../dashboard/dist');
  if (!existsSync(`${built}/index.html`)) {
    console.error('the dashboard is not built: run `npm run build -w @herald/dashboard` first');
    process.exit(1);
  }
  rmSync(join(dist, 'dashboard'), { recursive: true, force: true });
  cpSync(built, join(dist, 'dashboard'), { recursive: true });
}
