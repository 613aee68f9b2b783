import { defineConfig } from 'tsup';

/**
 * What `npm pack` ships: ESM (.js) and CommonJS (.cjs) with their own
 * declarations (.d.ts, .d.cts), so `import` and `require` each get types
 * that describe the file they load. Inside the repository tsc, Vitest and
 * the server's build read src/ through the `herald-source` export condition;
 * only plain Node resolution (no condition) loads dist/, which the root
 * `prepare` script builds.
 */
export default defineConfig({
  entry: { index: 'src/index.ts', express: 'src/express.ts', fastify: 'src/fastify.ts' },
  format: ['esm', 'cjs'],
  // Entries share chunks, so `@herald/sdk` and `@herald/sdk/express` hand out the
  // same functions and the same WebhookVerificationError class (instanceof holds).
  splitting: true,
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // tsup strips `node:` by default; keep it, so no bundler mistakes `crypto` for an npm package.
  removeNodeProtocol: false,
  sourcemap: false,
  treeshake: false,
});
