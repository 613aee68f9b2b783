import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/port.ts';

/** A migrated SQLite store in a fresh temp directory; cleanup closes it and removes the directory. */
export async function tempSqliteStore(): Promise<{ store: Store; path: string; cleanup(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-'));
  const path = join(dir, 'herald.db');
  const store = createSqliteStore(path);
  await store.migrate();
  return {
    store,
    path,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
