/**
 * Where the server package's files are, whether Herald runs from its sources
 * (src/…) or from the compiled bundle (dist/herald.mjs): both find the
 * package root by walking up to its package.json, so no path depends on how
 * deep the running file sits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@herald/server'
    )
      return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the @herald/server package above ${from}`);
  }
}

/** packages/server */
export const SERVER_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export const serverPath = (...parts: string[]): string => join(SERVER_ROOT, ...parts);

/**
 * A folder of files read at run time (SQL migrations): under src/ in the
 * repository, copied to dist/ in the published package, which has no src/.
 */
export function runtimeDir(sourceParts: string[], distParts: string[]): string {
  const source = serverPath(...sourceParts);
  return existsSync(source) ? source : serverPath('dist', ...distParts);
}
