/** An API on a fresh temp store (SQLite unless told), with an admin key, driven through Fastify's inject(). */
import type { FastifyInstance } from 'fastify';
import { buildApi, hashKey } from '../../src/api/app.ts';
import type { ApiOptions } from '../../src/api/context.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Store } from '../../src/store/port.ts';
import { tempSqliteStore } from '../helpers/store.ts';

export const ADMIN_KEY = 'hk_admin_test_key_0001';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  /** The fake clock: tests move it by assigning `now`. */
  clock: { now: number };
  /** A JSON request with the admin key (or `key`); `body` is sent as JSON. */
  call(
    method: string,
    url: string,
    body?: unknown,
    opts?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<Reply>;
  /** Creates a tenant and a tenant token for it. */
  tenant(id: string): Promise<{ id: string; token: string }>;
  close(): Promise<void>;
}

/** A migrated store and how to dispose of it. */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

export async function startApi(
  options: Partial<ApiOptions> = {},
  open: OpenStore = () => tempSqliteStore(),
): Promise<Harness> {
  const { store, cleanup } = await open();
  const clock = { now: Date.parse('2026-01-15T12:00:00.000Z') };
  await store.createApiKey({
    id: newId('key'),
    hash: hashKey(ADMIN_KEY),
    tenantId: null,
    name: 'admin',
    createdAt: clock.now,
    expiresAt: null,
  });
  const app = await buildApi({ store, clock: () => clock.now, options: { version: '9.9.9', ...options } });

  const call: Harness['call'] = async (method, url, body, opts = {}) => {
    const key = opts.key === undefined ? ADMIN_KEY : opts.key;
    const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...opts.headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = res.body;
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  };

  return {
    app,
    store,
    clock,
    call,
    async tenant(id) {
      const created = await call('POST', '/v1/tenants', { id, name: `Tenant ${id}` });
      if (created.status !== 201) throw new Error(`tenant create failed: ${JSON.stringify(created.body)}`);
      const token = await call('POST', `/v1/tenants/${id}/tokens`, { name: 'test' });
      if (token.status !== 201) throw new Error(`token create failed: ${JSON.stringify(token.body)}`);
      return { id, token: token.body.token as string };
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}
