import type { HeraldConfig } from '../config.ts';
import { openStore } from '../store/open.ts';

export async function migrateCommand(config: HeraldConfig): Promise<number> {
  const store = await openStore(config.databaseUrl, {
    synchronous: config.sqliteSynchronous,
    poolSize: config.pgPoolSize,
  });
  try {
    await store.migrate();
    process.stdout.write(`herald: database is up to date (${redactDatabaseUrl(config.databaseUrl)})\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** Hides a password in a postgres:// URL before printing it. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
