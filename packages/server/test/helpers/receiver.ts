import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the receiver saw it. Header names are lower-case; repeated headers are joined with ", ". */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

/** How to answer one request. Defaults: 200, no headers, empty body, at once. */
export interface ReceiverReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the receiver closes). */
  hang?: boolean;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Every request received so far, in arrival order. */
  requests: ReceivedRequest[];
  /** Resolves once at least `count` requests have arrived; rejects after `timeoutMs` (default 5,000). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys open connections, hung ones included. */
  close(): Promise<void>;
}

type Handler = (req: ReceivedRequest, index: number) => ReceiverReply | Promise<ReceiverReply>;

/** A real webhook receiver on loopback (an ephemeral port on 127.0.0.1, keep-alive on). */
export async function startReceiver(handler?: Handler): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer({ keepAlive: true }, (req, res) => {
    readBody(req).then(
      (body) => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: flatten(req.headers),
          body,
          receivedAt: Date.now(),
        };
        const index = requests.length;
        requests.push(received);
        for (const wake of waiters) wake();
        void respond(received, index, res);
      },
      () => res.destroy(),
    );
  });

  async function respond(received: ReceivedRequest, index: number, res: ServerResponse): Promise<void> {
    let reply: ReceiverReply;
    try {
      reply = handler ? await handler(received, index) : {};
    } catch (err) {
      reply = { status: 500, body: `receiver handler failed: ${(err as Error).message}` };
    }
    if (reply.hang) return;
    const send = () => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(reply.status ?? 200, reply.headers ?? {});
      res.end(reply.body ?? '');
    };
    if (reply.delayMs && reply.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, reply.delayMs);
      timers.add(timer);
    } else {
      send();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  function waitFor(count: number, timeoutMs = 5000): Promise<void> {
    if (requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (requests.length < count) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`receiver got ${requests.length} of ${count} expected requests within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
    });
  }

  let closing: Promise<void> | null = null;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  return { url: `http://127.0.0.1:${port}`, port, requests, waitFor, close };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatten(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
