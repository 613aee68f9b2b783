import { describe } from 'vitest';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { runStoreContract } from './contract.ts';

describe.skipIf(!pgAvailable)('PostgreSQL', () => {
  // 10,000 resources: the same paging and matching as SQLite's 100,000 (two pages of 5,000), at a
  // cost (one transaction per add over a socket) that keeps the file quick.
  runStoreContract('postgres', () => tempPgStore('contract'), { resources: 10_000 });
});
