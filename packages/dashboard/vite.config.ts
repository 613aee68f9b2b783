import { defineConfig } from 'vite';

// The app is served by Herald itself at `/`, so the API is on the same origin.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/v1': 'http://127.0.0.1:8080' } },
});
