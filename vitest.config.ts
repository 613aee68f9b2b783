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
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
