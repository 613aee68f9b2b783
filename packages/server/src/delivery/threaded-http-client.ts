/**
 * An HttpClient whose requests run in a worker thread. The main thread keeps
 * the database, the API and the dispatcher; the sender thread does the
 * outbound HTTP (sockets, parsing, timers), so the two overlap on a machine
 * with more than one core. Requests made in the same turn of the event loop
 * cross to the thread in one message, and results come back the same way.
 * If the thread dies, its requests in flight come back as failed attempts
 * (retried by the schedule like any other) and the next request starts a new thread.
 */
import { Worker } from 'node:worker_threads';
import { failedResult, type HttpClient, type OutboundRequest, type OutboundResult } from './http-client.ts';
import type { FromSender, SenderThreadOptions, ToSender } from './sender-thread.ts';

/**
 * The compiled builds (dist/herald.mjs, dist/index.mjs, dist/index.cjs) ship
 * the thread as dist/sender-thread.mjs; the sources start it through a tsx shim.
 */
function entryUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./sender-thread-entry.js', import.meta.url)
    : new URL('./sender-thread.mjs', import.meta.url);
}

export interface ThreadedHttpClient extends HttpClient {
  /** Stops the thread as a crash would (tests): requests in flight fail, the next one starts a new thread. */
  crashThread(): Promise<void>;
}

export function createThreadedHttpClient(options: SenderThreadOptions): ThreadedHttpClient {
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, (result: OutboundResult) => void>();
  let batch: [number, OutboundRequest][] = [];
  let closed: Promise<void> | null = null;

  const failAll = (message: string) => {
    for (const resolve of waiting.values()) resolve(failedResult('network', message));
    waiting.clear();
  };

  const start = (): Worker => {
    const w = new Worker(entryUrl(), {
      workerData: { heraldSenderThread: options },
      // Its heap holds requests in flight and response bodies, nothing long-lived.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    w.on('message', (msg: FromSender) => {
      if (msg === 'closed') return;
      for (const [id, result] of msg) {
        waiting.get(id)?.(result);
        waiting.delete(id);
      }
      if (waiting.size === 0) w.unref();
    });
    w.on('error', (err) => failAll(`Herald's sender thread failed: ${err.message}`));
    w.on('exit', () => {
      if (worker === w) worker = null;
      failAll("Herald's sender thread stopped before the response arrived");
    });
    w.unref();
    return w;
  };

  const post = () => {
    const requests = batch;
    batch = [];
    worker ??= start();
    worker.ref(); // requests in flight keep the process alive, as sockets would
    worker.postMessage(requests satisfies ToSender);
  };

  return {
    send(req: OutboundRequest): Promise<OutboundResult> {
      if (closed) return Promise.reject(new Error('the HTTP client is closed'));
      return new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        if (batch.length === 0) queueMicrotask(post);
        batch.push([id, req]);
      });
    },
    async crashThread(): Promise<void> {
      await worker?.terminate();
    },
    close(): Promise<void> {
      closed ??= (async () => {
        const w = worker;
        if (!w) return;
        const stopped = new Promise<void>((resolve) => {
          w.on('message', (msg: FromSender) => msg === 'closed' && resolve());
          w.once('exit', () => resolve());
        });
        w.ref(); // wait for the thread to close its connections
        w.postMessage('close' satisfies ToSender);
        await stopped;
        await w.terminate();
      })();
      return closed;
    },
  };
}
