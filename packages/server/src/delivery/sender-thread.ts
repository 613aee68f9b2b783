/**
 * The sender thread's side: an ordinary HTTP client (http-client.ts) in a
 * worker thread, fed batches of requests by threaded-http-client.ts and
 * answering with batches of results. Requests and results are plain data.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createHttpClient, failedResult, type OutboundRequest, type OutboundResult } from './http-client.ts';
import { parseAllowPrivateNetworks } from './ssrf.ts';

/** What the main thread passes: the client's options, in a form that survives structured cloning. */
export interface SenderThreadOptions {
  allowPrivateNetworks: string | undefined;
  connectionsPerOrigin?: number;
  maxConnections?: number;
  proxyUrl?: string;
  maxResponseBytes?: number;
}

/** To the thread: a batch of [id, request], or 'close'. From it: a batch of [id, result], or 'closed'. */
export type ToSender = [number, OutboundRequest][] | 'close';
export type FromSender = [number, OutboundResult][] | 'closed';

export function serveSenderThread(port: MessagePort, options: SenderThreadOptions): void {
  const client = createHttpClient({
    policy: parseAllowPrivateNetworks(options.allowPrivateNetworks),
    ...(options.connectionsPerOrigin !== undefined
      ? { connectionsPerOrigin: options.connectionsPerOrigin }
      : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    ...(options.proxyUrl !== undefined ? { proxyUrl: options.proxyUrl } : {}),
    ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
  });
  // Results finishing in the same turn of the event loop go back in one message.
  let done: [number, OutboundResult][] = [];
  const flush = () => {
    port.postMessage(done satisfies FromSender);
    done = [];
  };
  const finish = (id: number, result: OutboundResult) => {
    if (done.length === 0) setImmediate(flush);
    done.push([id, result]);
  };
  port.on('message', (msg: ToSender) => {
    if (msg === 'close') {
      void client.close().finally(() => port.postMessage('closed' satisfies FromSender));
      return;
    }
    for (const [id, req] of msg) {
      client.send(req).then(
        (result) => finish(id, result),
        // send() reports failures as data; this is a bug, reported as a failed attempt rather than lost.
        (err: unknown) => finish(id, failedResult('network', `the sender failed: ${String(err)}`)),
      );
    }
  });
}

const data = workerData as { heraldSenderThread?: SenderThreadOptions } | null;
if (parentPort && data?.heraldSenderThread) serveSenderThread(parentPort, data.heraldSenderThread);
