// Starts the sender thread from the TypeScript sources (the compiled bundle
// has its own entry, dist/sender-thread.mjs): a worker thread does not inherit
// the main thread's tsx loader, so it registers one itself.
import { register } from 'tsx/esm/api';

register();
await import('./sender-thread.ts');
