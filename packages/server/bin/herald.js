#!/usr/bin/env node
// Runs the compiled bundle (dist/herald.mjs, made by `npm install` or
// `npm run build -w @herald/server`) when it is newer than every source file;
// otherwise compiles the TypeScript sources on load with tsx, so an edited
// source is never shadowed by a stale build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 lets the heap grow to up to four times what survived the last full
// collection while collecting is cheap; Herald's live heap is small and most of
// what it allocates dies young, so that headroom is garbage held as RSS (a
// 500,000-delivery drain peaked at 263–285 MB this way, 235 MB with a factor
// of 1.5, at the same speed; it costs about 10 ms of p99 in `steady`). A --heap-growing-percent given to node wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=50');
}

const bundle = fileURLToPath(new URL('../dist/herald.mjs', import.meta.url));
const sourceDirs = ['../src/', '../../sdk/src/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsCurrent() {
  if (process.env.HERALD_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return sourceDirs.every((dir) => !existsSync(dir) || newestSource(dir) <= built);
}

let main;
if (bundleIsCurrent()) {
  ({ main } = await import('../dist/herald.mjs'));
} else {
  // The SDK's sources too, not its dist/ (see source-conditions.mjs); then tsx compiles both.
  const { register: registerHook } = await import('node:module');
  registerHook(new URL('./source-conditions.mjs', import.meta.url));
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
