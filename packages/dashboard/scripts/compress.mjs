/**
 * Runs after `vite build`: writes a brotli (`.br`, quality 11) and a gzip
 * (`.gz`, level 9) copy beside each compressible file of dist/. Herald
 * serves them to browsers that accept them (@fastify/static's
 * `preCompressed`), so it never compresses on the fly and the dashboard's
 * scripts cross the network at about a quarter of their size. Compressed once
 * at build time, the slowest settings cost nothing per request.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map']);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const br = promisify(brotliCompress);
const gz = promisify(gzip);

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.has(extname(entry.name))) yield path;
  }
}

async function compress(path) {
  const raw = await readFile(path);
  const [brotli, gzipped] = await Promise.all([
    br(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    }),
    gz(raw, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  // A copy no smaller than the file would only cost the server a read: the
  // file itself is then served, uncompressed, to everyone.
  const written = [];
  for (const [ext, bytes] of [
    ['.br', brotli],
    ['.gz', gzipped],
  ]) {
    if (bytes.length < raw.length) {
      await writeFile(path + ext, bytes);
      written.push(`${ext.slice(1)} ${bytes.length}`);
    }
  }
  return `${relative(dist, path)}: ${raw.length} B${written.length ? `, ${written.join(', ')}` : ', left uncompressed'}`;
}

const paths = [];
for await (const path of files(dist)) paths.push(path);
if (paths.length === 0) throw new Error(`nothing to compress in ${dist}: run vite build first`);
for (const line of await Promise.all(paths.map(compress))) console.log(`compress: ${line}`);
