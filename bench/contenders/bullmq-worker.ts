/**
 * The baseline's worker, as a team would write it: a BullMQ Worker with
 * concurrency 100 that signs each job and POSTs it, throwing on a non-2xx
 * answer so BullMQ retries with exponential backoff. Same signing and the
 * same HTTP pool (undici, 64 connections per origin) as the other contenders.
 * Started with `fork` (env BENCH_QUEUE); sends `{type: 'ready'}`.
 */
import { Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { signedHeaders } from '../lib/workload.ts';
import { CONNECTIONS_PER_ORIGIN } from './ceiling-sender.ts';

interface WebhookJob {
  url: string;
  id: string;
  body: string;
}

const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 5000);
const agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, pipelining: 1 });

const worker = new Worker<WebhookJob>(
  process.env.BENCH_QUEUE ?? 'herald-bench',
  async (job) => {
    const { url, id, body } = job.data;
    const res = await request(url, {
      method: 'POST',
      headers: signedHeaders(id, body),
      body,
      dispatcher: agent,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`endpoint answered ${res.statusCode}`);
  },
  {
    connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null },
    concurrency: 100,
  },
);

worker.on('error', () => {
  // Connection hiccups are retried by BullMQ itself; failed jobs are the point of some scenarios.
});
await worker.waitUntilReady();
process.send?.({ type: 'ready' });

async function shutdown(): Promise<void> {
  await worker.close(true);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('disconnect', () => void shutdown());
