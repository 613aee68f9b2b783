/**
 * A TCP proxy in front of PostgreSQL that a test can cut: while cut, every
 * connection through it is dropped and new ones are closed at once, exactly
 * what Herald sees while the database restarts. Armed with
 * `fatalOnHandshake`, each new connection instead gets the server's
 * handshake and, in the same write, the FATAL 57P01 PostgreSQL sends when an
 * administrator terminates a backend, then is closed.
 */

import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';

export interface PgProxy {
  port: number;
  cut(): void;
  restore(): void;
  /** New connections get a FATAL right after ReadyForQuery (true) or work normally (false). */
  fatalOnHandshake(on: boolean): void;
  /** Drops every open connection; new ones are still accepted. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** An ErrorResponse as PostgreSQL sends it when an administrator terminates a backend. */
function fatalTermination(): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', 'FATAL'],
      ['V', 'FATAL'],
      ['C', '57P01'],
      ['M', 'terminating connection due to administrator command'],
    ].map(([k, v]) => Buffer.from(`${k}${v}\0`)),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** Offset just past the first ReadyForQuery ('Z') message in `buf`, or -1 while it is incomplete. */
function endOfReadyForQuery(buf: Buffer): number {
  let at = 0;
  while (at + 5 <= buf.length) {
    const end = at + 1 + buf.readInt32BE(at + 1);
    if (end > buf.length) return -1;
    if (buf[at] === 0x5a) return end;
    at = end;
  }
  return -1;
}

export async function startPgProxy(target: { host: string; port: number }): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let fatal = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const kill = fatal;
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    if (!kill) {
      upstream.pipe(client);
      return;
    }
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const end = endOfReadyForQuery(pending);
      if (end < 0) return;
      client.end(Buffer.concat([pending.subarray(0, end), fatalTermination()]));
      upstream.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    fatalOnHandshake(on) {
      fatal = on;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close() {
      down = true;
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
