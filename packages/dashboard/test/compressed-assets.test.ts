/**
 * The real dashboard build, as Herald serves it: every text file with a
 * brotli and a gzip copy, sent to the browsers that accept them (and only
 * those) with the headers caches need, and Chart.js out of the main chunk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../server/src/api/app.ts';
import type { Store } from '../../server/src/store/port.ts';
import { tempSqliteStore } from '../../server/test/helpers/store.ts';
import { DIST, ensureBuilt, mainChunk } from './built-dashboard.ts';

/** A property only Chart.js's code names; it survives minification. */
const CHART_JS_MARKER = '_chartjs';

let app: FastifyInstance;
let store: Store;
let cleanup: () => Promise<void> | void;

const get = (url: string, acceptEncoding?: string) =>
  app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

const decoded = (res: Awaited<ReturnType<typeof get>>): Buffer => {
  const body = res.rawPayload;
  const encoding = res.headers['content-encoding'];
  if (encoding === 'br') return brotliDecompressSync(body);
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === undefined) return body;
  throw new Error(`unexpected content-encoding ${encoding}`);
};

function builtFiles(dir = DIST): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? builtFiles(join(dir, entry.name)).map((f) => `${entry.name}/${f}`) : [entry.name],
  );
}

beforeAll(async () => {
  await ensureBuilt();
  ({ store, cleanup } = await tempSqliteStore());
  app = await buildApi({ store, dashboardDir: DIST });
});

afterAll(async () => {
  await app.close();
  await cleanup();
});

describe('the build', () => {
  it('holds a .br and a .gz copy of every text file, each decompressing to it', () => {
    const files = builtFiles();
    const text = files.filter((f) => /\.(js|css|html|svg|json)$/.test(f));
    expect(text.length).toBeGreaterThanOrEqual(4);
    for (const file of text) {
      const raw = readFileSync(join(DIST, file));
      expect(brotliDecompressSync(readFileSync(join(DIST, `${file}.br`))).equals(raw), file).toBe(true);
      expect(gunzipSync(readFileSync(join(DIST, `${file}.gz`))).equals(raw), file).toBe(true);
    }
  });

  it("is React's production build (tests rebuild it under NODE_ENV=test)", () => {
    expect(readFileSync(join(DIST, mainChunk()), 'utf8')).not.toContain('Download the React DevTools');
  });

  it('keeps Chart.js out of the main chunk, in a chunk of its own that the main one imports', () => {
    const main = readFileSync(join(DIST, mainChunk()), 'utf8');
    expect(main).not.toContain(CHART_JS_MARKER);
    const chartChunks = builtFiles().filter(
      (f) => f.endsWith('.js') && readFileSync(join(DIST, f), 'utf8').includes(CHART_JS_MARKER),
    );
    expect(chartChunks).toHaveLength(1);
    expect(chartChunks[0]).toMatch(/^assets\/charts-/);
    expect(main).toContain(chartChunks[0]!.replace('assets/', ''));
    expect(readFileSync(join(DIST, 'index.html'), 'utf8')).not.toContain('charts-');
  });
});

describe('serving it', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['identity', undefined],
    [undefined, undefined],
  ];

  it.each(cases)('Accept-Encoding %s gets %s, the same bytes once decoded', async (accept, expected) => {
    const main = `/${mainChunk()}`;
    for (const [url, file, type] of [
      // The original's type, not the copy's (application/x-gzip, …).
      [main, mainChunk(), /^(text|application)\/javascript; charset=utf-8$/],
      ['/', 'index.html', /^text\/html; charset=utf-8$/],
      // The SPA fallback: an app route answers index.html, compressed alike.
      ['/tenants/acme/log', 'index.html', /^text\/html; charset=utf-8$/],
    ] as const) {
      const res = await get(url, accept);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBe(expected);
      expect(res.headers['content-type'], url).toMatch(type);
      expect(String(res.headers.vary).toLowerCase(), url).toContain('accept-encoding');
      expect(decoded(res).equals(readFileSync(join(DIST, file))), url).toBe(true);
    }
  });

  it('lets browsers keep hashed assets for good, and revalidate index.html on every load', async () => {
    const asset = await get(`/${mainChunk()}`, 'br');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/', '/tenants/acme/metrics']) {
      expect((await get(url, 'br')).headers['cache-control'], url).toBe('no-cache');
    }
  });

  it("answers 404, not index.html, for an asset that is not in this build (an old page's chunk)", async () => {
    const res = await get('/assets/charts-GoneSince1.js', 'br');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
  });
});
