/** The stores the flow tests run on: SQLite always, PostgreSQL where it is reachable (see helpers/pg.ts). */
import type { Store } from '../../src/store/port.ts';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { tempSqliteStore } from '../helpers/store.ts';

export interface StoreKind {
  name: string;
  skip: boolean;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

export const STORE_KINDS: StoreKind[] = [
  { name: 'sqlite', skip: false, open: () => tempSqliteStore() },
  { name: 'postgres', skip: !pgAvailable, open: () => tempPgStore('flow') },
];
