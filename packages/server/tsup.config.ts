/**
 * Builds @herald/server into dist/:
 * - index.mjs / index.cjs with index.d.mts / index.d.cts: the library
 *   (`createHerald`, `defineConfig`, …) for `import` and `require`;
 * - herald.mjs and sender-thread.mjs: the CLI that bin/herald.js runs, and
 *   the outbound-HTTP worker thread;
 * - migrations/ and dashboard/: the SQL schema history and the built
 *   dashboard, which the package reads at run time (scripts/copy-assets.mjs).
 * npm dependencies stay outside the bundle; the SDK (a workspace package) is
 * compiled in, so the published server depends on nothing unpublished.
 */
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  splitting: false,
  noExternal: ['@herald/sdk'],
  esbuildOptions(options) {
    // Source maps for stack traces, without shipping the TypeScript sources inside them.
    options.sourcesContent = false;
    // The SDK's sources, not its build: one compile, and no stale SDK in the server.
    options.conditions = ['herald-source', ...(options.conditions ?? [])];
  },
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
    // import.meta.url in the CommonJS build: the package finds its files from it.
    shims: true,
    dts: { resolve: ['@herald/sdk'] },
  },
  {
    ...shared,
    entry: { herald: 'src/cli/main.ts', 'sender-thread': 'src/delivery/sender-thread.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    // Some dependencies are CommonJS and call require(); give the ES module one.
    banner: {
      js: "import { createRequire as heraldRequire } from 'node:module'; const require = heraldRequire(import.meta.url);",
    },
  },
]);
