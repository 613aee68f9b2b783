/**
 * The dashboard and customer portal: the single-page app built from
 * packages/dashboard, served at `/`. Paths that are not files of the build
 * answer its index.html, so the app's own routes (`/portal`, `/log`…) load
 * on a refresh; API paths keep answering JSON 404s. No X-Frame-Options:
 * platforms embed the portal in an iframe.
 *
 * The build holds a `.br` and a `.gz` copy beside each text file
 * (packages/dashboard/scripts/compress.mjs); @fastify/static's
 * `preCompressed` sends the one the browser accepts (brotli first, then
 * gzip, else the file itself) with `Vary: Accept-Encoding`, index.html
 * included.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVER_ROOT, serverPath } from '../../paths.ts';
import type { HeraldApp } from '../context.ts';
import { notFoundHandler } from '../errors.ts';

/** The first of `candidates` holding a build (an index.html), else the first. */
export function pickDashboardDir(candidates: readonly string[]): string {
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * packages/dashboard/dist next to this package in the workspace (what a
 * checkout builds, and where the missing-build page says to build it), else
 * the build copied into the published server package (dist/dashboard), which
 * has no workspace beside it. In that order, so a checkout never serves a
 * copy left over from `npm pack` instead of its fresh build.
 */
export const DEFAULT_DASHBOARD_DIR = pickDashboardDir([
  join(SERVER_ROOT, '..', 'dashboard', 'dist'),
  serverPath('dist', 'dashboard'),
]);

/** Paths the SPA fallback must leave to the API's 404. */
const API_PREFIXES = ['/v1/', '/healthz', '/readyz', '/openapi.json', '/metrics'];

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald: dashboard not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>Herald is running, but its dashboard is not built</h1>
<p>The API works (see <a href="/openapi.json">/openapi.json</a>). To serve the dashboard here, build it once
from the repository's root and reload this page:</p>
<pre><code>npm run build -w @herald/dashboard</code></pre>
<p><code>npm install</code> builds it too.</p></body></html>
`;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
}

/** A file of the build named by the URL path, or null (never a path outside the build). */
function buildFile(dir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative === '' || relative.startsWith('..') || relative.includes(`${sep}..`)) return null;
  const full = join(dir, relative);
  if (!full.startsWith(dir)) return null;
  try {
    return statSync(full).isFile() ? relative : null;
  } catch {
    return null;
  }
}

export function registerDashboardRoutes(app: HeraldApp, dir: string = DEFAULT_DASHBOARD_DIR): void {
  const root = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  // serve: false: the routes below serve files themselves, so they can be
  // public (the API's default access is admin) and fall back to index.html.
  void app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(join(root, 'index.html'))) {
      return reply.code(503).type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
    }
    // It names the current build's assets, so browsers must revalidate it (a
    // cheap 304) on every load. cacheControl: false, or send's own
    // `public, max-age=0` replaces this header.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (isApiPath(path)) return notFoundHandler(request, reply);
    const file = buildFile(root, path);
    // A hashed asset that is not in this build (a page opened before an
    // upgrade asking for its old chunk) is a 404, not index.html: HTML as a
    // script fails obscurely, a 404 says what happened.
    if (file === null && path.startsWith('/assets/')) return notFoundHandler(request, reply);
    if (file === null || file === 'index.html') return sendIndex(reply);
    // Vite names built assets by content hash: they never change under one name.
    const immutable = file.startsWith(`assets${sep}`);
    return reply.sendFile(file, root, immutable ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
  };

  const options = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get('/', options, handler);
  app.get('/*', options, handler);
}
