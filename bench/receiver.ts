/**
 * The benchmark's receiver, in its own process: Node `http` with keep-alive.
 * `/ok/*` answers 200 at once, `/fail/*` answers 500 at once, `/hang/*` never
 * answers. Warm-up events (negative `seq` in the data) are counted apart. It records, per endpoint path and `webhook-id`, the first receipt
 * time and the latency from the envelope's `timestamp` (the accept or enqueue
 * time) to that receipt. `GET /__stats` reports; `POST /__reset` clears.
 * Started with `fork`, it sends `{type: 'listening', port}` over IPC.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type BrokerKind, startBrokerConsumer } from './lib/broker-consumers.ts';
import { percentiles } from './lib/percentiles.ts';

interface Counters {
  requests: number;
  unique: number;
  firstAt: number | null;
  lastAt: number | null;
}

const fresh = (): Counters => ({ requests: 0, unique: 0, firstAt: null, lastAt: null });
const freshAll = () => ({ ok: fresh(), fail: fresh(), hang: fresh(), warmup: fresh() });
let counters: Record<string, Counters> = freshAll();
let seen = new Set<string>();
let latencies: number[] = [];
const hanging = new Set<ServerResponse>();
const TIMESTAMP = /"timestamp":"([^"]+)"/;
const WARMUP = /"seq":-/;

function record(path: string, headers: IncomingMessage['headers'], body: string): void {
  const now = Date.now();
  const kind = path.split('/')[1] ?? '';
  // Warm-up events (negative seq) to healthy endpoints are counted apart and never timed.
  const c = counters[kind === 'ok' && WARMUP.test(body) ? 'warmup' : kind];
  if (!c) return;
  c.requests++;
  const id = headers['webhook-id'];
  const key = `${path} ${typeof id === 'string' ? id : ''}`;
  if (seen.has(key)) return;
  seen.add(key);
  c.unique++;
  c.firstAt ??= now;
  c.lastAt = now;
  if (c !== counters.ok) return;
  const ts = TIMESTAMP.exec(body)?.[1];
  if (ts) latencies.push(now - Date.parse(ts));
}

function stats(withLatency: boolean): unknown {
  return { counters, latency: withLatency ? percentiles(latencies) : null };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  if (url.startsWith('/__stats')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats(url.includes('latency=1'))));
    return;
  }
  if (url === '/__reset') {
    counters = freshAll();
    seen = new Set();
    latencies = [];
    res.end('{}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const kind = url.split('/')[1] ?? '';
    record(url, req.headers, Buffer.concat(chunks).toString('utf8'));
    if (kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    res.writeHead(kind === 'fail' ? 500 : 200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end(kind === 'fail' ? 'no' : 'ok');
  });
}

// Several listeners give endpoints their own origins, as separate customers' servers are:
// a sender's per-origin connection pool then isolates a bad endpoint as it would in production.
const requested = (process.env.BENCH_RECEIVER_PORTS ?? '0').split(',').map(Number);
const servers = requested.map(() => createServer({ keepAliveTimeout: 65_000 }, handle));
const bound = await Promise.all(
  servers.map(
    (server, i) =>
      new Promise<number>((resolve) =>
        server.listen(requested[i], '127.0.0.1', () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : 0);
        }),
      ),
  ),
);
// The broker scenario: what Herald publishes to a broker counts as a request to the path
// the endpoint's `x-bench-path` header names, so the drain is measured the same way.
const broker = process.env.BENCH_BROKER as BrokerKind | undefined;
if (broker) await startBrokerConsumer(broker, record);
process.send?.({ type: 'listening', ports: bound });

function shutdown(): void {
  for (const res of hanging) res.destroy();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);
