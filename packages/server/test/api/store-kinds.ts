/**
 * The API harness (see harness.ts) on either store: SQLite always, PostgreSQL
 * where it is reachable. For tests whose point is that both stores answer alike.
 */
import type { ApiOptions } from '../../src/api/context.ts';
import type { Store } from '../../src/store/port.ts';
import { pgAvailable, tempPgStore } from '../helpers/pg.ts';
import { tempSqliteStore } from '../helpers/store.ts';
import { type Harness, type Reply, startApi } from './harness.ts';

export interface ApiStoreKind {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

export const API_STORE_KINDS: ApiStoreKind[] = [
  { name: 'sqlite', skip: false, open: () => tempSqliteStore() },
  { name: 'postgres', skip: !pgAvailable, open: () => tempPgStore('api_inputs') },
];

/** The harness on one store: the same API, tenants and admin key. */
export type StoreApi = Harness;

export function startApiOn(kind: ApiStoreKind, options: Partial<ApiOptions> = {}): Promise<StoreApi> {
  return startApi(options, kind.open);
}

/** Herald's error shape, and no 5xx: what every refused request must answer. */
export function expectError(
  res: Reply,
  status: number,
  code: string,
): { code: string; message: string; details?: unknown } {
  if (res.status !== status || typeof res.body?.error?.code !== 'string') {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  const error = res.body.error as { code: string; message: string; details?: unknown };
  if (error.code !== code || typeof error.message !== 'string' || error.message === '') {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  return error;
}
