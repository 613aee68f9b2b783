import { availableParallelism } from 'node:os';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Inside the repository `@herald/sdk` is its sources (the "herald-source" export
  // condition), never a possibly stale dist/. Vitest resolves test imports as SSR
  // and also hands these conditions to its workers as `--conditions`.
  ssr: { resolve: { conditions: ['herald-source', ...defaultServerConditions] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default leaves one core free: one file at a time on a 2-core machine. The
    // browser, package and multi-process tests spend most of their time in other
    // processes, so two files at once take the suite from ~700 s to ~460 s there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
