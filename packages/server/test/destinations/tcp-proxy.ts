/**
 * A TCP proxy between a destination kind and a real broker, so a test can
 * break the connection the way a broker restart or a network blip does:
 * `drop()` destroys every proxied socket and stops listening (new
 * connections are refused), `accept()` listens again on the same port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Client connections open through the proxy right now. */
  readonly open: number;
  /** Client connections accepted since the start. */
  readonly accepted: number;
  drop(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = 0;
  let accepted = 0;
  let port = 0;
  let server: Server;

  const onConnection = (client: Socket) => {
    accepted++;
    open++;
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let counted = true;
    const end = () => {
      if (counted) {
        counted = false;
        open--;
      }
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  await listen();
  return {
    get port() {
      return port;
    },
    get open() {
      return open;
    },
    get accepted() {
      return accepted;
    },
    drop: stop,
    accept: listen,
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
