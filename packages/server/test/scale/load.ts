/**
 * Shared pieces of the scale tests: a counting receiver (bodies are not kept,
 * so 20,000 requests stay cheap; each is checked with the `standardwebhooks`
 * library against its endpoint's secret), endpoint setup, and batch ingest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ApiClient } from '../helpers/api-client.ts';

export interface CountingReceiver {
  url: string;
  /** Requests per `<endpoint path> <webhook-id>`. */
  counts: Map<string, number>;
  total(): number;
  /** When the first and the latest request arrived (ms), for throughput. */
  span(): { firstAt: number; lastAt: number };
  /** Requests to `path` are verified with this secret from now on (setupEndpoints does it). */
  trust(path: string, secret: string): void;
  /** Requests whose signature the Standard Webhooks library accepted / refused. */
  verified(): { ok: number; refused: number };
  close(): Promise<void>;
}

export async function startCountingReceiver(): Promise<CountingReceiver> {
  const counts = new Map<string, number>();
  let total = 0;
  let firstAt = 0;
  let lastAt = 0;
  const verifiers = new Map<string, Webhook>();
  const verified = { ok: 0, refused: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const verifier = verifiers.get(req.url ?? '');
      if (verifier) {
        try {
          verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
          verified.ok += 1;
        } catch {
          verified.refused += 1;
        }
      }
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
    trust: (path, secret) => {
      verifiers.set(path, new Webhook(secret));
    },
    verified: () => ({ ...verified }),
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
  receiver: CountingReceiver,
  n: number,
  opts: { maxInFlight: number; timeoutMs?: number },
): Promise<string[]> {
  const receiverUrl = receiver.url;
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
    receiver.trust(`/ep/${i}`, ep.body.secret as string);
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
