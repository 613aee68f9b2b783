/**
 * A real Herald (API + worker) on either store, a loopback receiver that
 * answers by path, and a closed port: what the delivery-log tests send real
 * requests through, so every attempt and error kind is one Herald recorded.
 */
import { createServer } from 'node:net';
import type { ApiClient } from '../helpers/api-client.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { dropSchema, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';
import type { ApiStoreKind } from './store-kinds.ts';

export interface LogHerald {
  api: ApiClient;
  url: string;
  /** `/ok` 200, `/fail` 500, `/gone` 410, `/hang` never answers. */
  receiver: Receiver;
  /** A loopback port nothing listens on. */
  closedPort: number;
  close(): Promise<void>;
}

/** A port that was free a moment ago: listened on, then closed, so connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startLogHerald(
  kind: ApiStoreKind,
  env: Record<string, string> = {},
): Promise<LogHerald> {
  const receiver = await startReceiver((req) => {
    if (req.url.startsWith('/hang')) return { hang: true };
    if (req.url.startsWith('/fail')) return { status: 500, body: '{"error":"down"}' };
    if (req.url.startsWith('/gone')) return { status: 410 };
    return { status: 200, body: '{"ok":true}' };
  });
  const schema = kind.name === 'postgres' ? uniqueSchema('log_filters') : null;
  const herald = await startTestHerald({
    ...(schema ? { HERALD_DATABASE_URL: pgUrlFor(schema) } : {}),
    ...env,
  });
  return {
    api: herald.api,
    url: herald.herald.url!,
    receiver,
    closedPort: await closedPort(),
    async close() {
      await herald.close();
      await receiver.close();
      if (schema) await dropSchema(schema);
    },
  };
}

/** Creates an endpoint that gets `type` only and tries each delivery once; returns its id. */
export async function oneShotEndpoint(
  api: ApiClient,
  tid: string,
  url: string,
  type: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await api.post(`/v1/tenants/${tid}/endpoints`, {
    url,
    eventTypes: [type],
    retry: { maxAttempts: 1 },
    ...extra,
  });
  if (res.status !== 201) throw new Error(`endpoint create failed: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Waits until the tenant has no delivery pending or in flight and `count` attempts logged. */
export async function settled(api: ApiClient, tid: string, count: number): Promise<void> {
  await waitUntil(`${count} settled attempts`, async () => {
    const summary = (await api.get(`/v1/tenants/${tid}/attempts/summary`)).body;
    return summary.pending === 0 && summary.total === count;
  });
}

/** `name{labels} value` lines of a Prometheus exposition whose name starts with one of `prefixes`. */
export async function metricLines(url: string, prefixes: string[]): Promise<string[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#') && prefixes.some((p) => line.startsWith(p)))
    .sort();
}
