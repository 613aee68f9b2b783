/**
 * Shared pieces of the scale tests: a counting receiver (bodies are not kept,
 * so 20,000 requests stay cheap), endpoint setup, and batch ingest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiClient } from '../helpers/api-client.ts';

export interface CountingReceiver {
  url: string;
  /** Requests per `<endpoint path> <webhook-id>`. */
  counts: Map<string, number>;
  total(): number;
  /** When the first and the latest request arrived (ms), for throughput. */
  span(): { firstAt: number; lastAt: number };
  close(): Promise<void>;
}

export async function startCountingReceiver(): Promise<CountingReceiver> {
  const counts = new Map<string, number>();
  let total = 0;
  let firstAt = 0;
  let lastAt = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = `${req.url} ${String(req.headers['webhook-id'])}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total += 1;
      lastAt = Date.now();
      if (firstAt === 0) firstAt = lastAt;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    total: () => total,
    span: () => ({ firstAt, lastAt }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** One tenant with `n` endpoints; endpoint i receives only events of type `load.e<i>`. */
export async function setupEndpoints(
  api: ApiClient,
  receiverUrl: string,
  n: number,
  opts: { maxInFlight: number; timeoutMs?: number },
): Promise<string[]> {
  const tenant = await api.post('/v1/tenants', { id: 'load', name: 'Load test' });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const ep = await api.post('/v1/tenants/load/endpoints', {
      url: `${receiverUrl}/ep/${i}`,
      eventTypes: [`load.e${i}`],
      maxInFlight: opts.maxInFlight,
      timeoutMs: opts.timeoutMs ?? 2000,
    });
    if (ep.status !== 201) throw new Error(`endpoint: ${ep.status} ${JSON.stringify(ep.body)}`);
    ids.push(ep.body.id as string);
  }
  return ids;
}

/** Sends `count` events spread evenly over `endpoints` types, in batches; returns `<path> <event id>` keys. */
export async function sendLoad(
  api: ApiClient,
  count: number,
  endpoints: number,
  batchSize = 1000,
): Promise<string[]> {
  const expected: string[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const events = Array.from({ length: Math.min(batchSize, count - start) }, (_, j) => ({
      type: `load.e${(start + j) % endpoints}`,
      data: { n: start + j },
    }));
    const res = await api.post('/v1/tenants/load/events/batch', { events });
    if (res.status !== 202) throw new Error(`batch: ${res.status} ${JSON.stringify(res.body)}`);
    res.body.data.forEach((e: { id: string }, j: number) => {
      expected.push(`/ep/${(start + j) % endpoints} ${e.id}`);
    });
  }
  return expected;
}
