import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient, type OutboundRequest } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { createThreadedHttpClient } from '../../src/delivery/threaded-http-client.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const loopback = parseAllowPrivateNetworks('127.0.0.0/8');

function post(url: string, pool: OutboundRequest['pool'], timeoutMs = 5000): OutboundRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    timeoutMs,
    pool,
  };
}

/**
 * Connections per endpoint: requests keyed by one endpoint never wait for, or
 * time out behind, another endpoint's connections on the same host and port.
 * Paths under /hang never answer, /slow answers after 400 ms, the rest at once.
 */
describe('connection pools per endpoint', () => {
  let receiver: Receiver;
  const clients: HttpClient[] = [];
  const client = (extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) => {
    const c = createHttpClient({ policy: loopback, connectionsPerOrigin: 2, ...extra });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    receiver = await startReceiver((req) => {
      if (req.url.startsWith('/hang')) return { hang: true };
      return req.url.startsWith('/slow') ? { status: 200, delayMs: 400 } : { status: 200 };
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => receiver.close());

  it("one endpoint's hung connections leave another endpoint on the same origin untouched", async () => {
    const http = client();
    const hung = [1, 2, 3].map((i) =>
      http.send(post(`${receiver.url}/hang/${i}`, { key: 'ep_a', connections: 2 }, 1000)),
    );
    await receiver.waitFor(2);
    // Its third request waits for one of its own two connections, not for anyone else's.
    const other = await http.send(post(`${receiver.url}/ok`, { key: 'ep_b', connections: 2 }, 1000));
    expect(other).toMatchObject({ status: 200, error: null });
    // Unkeyed requests (test sends) have the origin's own pool too.
    const test = await http.send(post(`${receiver.url}/ok`, undefined, 1000));
    expect(test).toMatchObject({ status: 200, error: null });
    // The hung ones fail on their own deadline, the third after waiting for its own pool.
    for (const r of await Promise.all(hung)) expect(r.error?.kind).toBe('timeout');
  });

  it('starts the response deadline when the request is written, not while it waits for a connection', async () => {
    const http = client();
    const first = http.send(post(`${receiver.url}/slow`, { key: 'ep_c', connections: 1 }, 2000));
    await receiver.waitFor(receiver.requests.length + 1);
    // Queued behind the first for about 400 ms: longer than its own 300 ms, which only start once it is sent.
    const second = await http.send(post(`${receiver.url}/fast`, { key: 'ep_c', connections: 1 }, 300));
    expect(second).toMatchObject({ status: 200, error: null });
    expect(await first).toMatchObject({ status: 200, error: null });
  });

  it('fails a request that gets no connection in time, saying why', async () => {
    const http = client({ connectTimeoutMs: 200 });
    const hung = http.send(post(`${receiver.url}/hang/d`, { key: 'ep_d', connections: 1 }, 1000));
    const queued = await http.send(post(`${receiver.url}/ok`, { key: 'ep_d', connections: 1 }));
    expect(queued).toMatchObject({ status: null, body: null });
    expect(queued.error).toEqual({
      kind: 'timeout',
      message: `no free connection to 127.0.0.1:${receiver.port} within 200 ms: all 1 of its pool's connections were busy`,
    });
    expect((await hung).error?.kind).toBe('timeout');
  });

  it('bounds the requests in flight across all pools', async () => {
    const http = client({ connectTimeoutMs: 200, maxConnections: 1 });
    const hung = http.send(post(`${receiver.url}/hang/e`, { key: 'ep_e', connections: 4 }, 1000));
    const other = await http.send(post(`${receiver.url}/ok`, { key: 'ep_f', connections: 4 }));
    expect(other.error).toEqual({
      kind: 'timeout',
      message: "no free connection within 200 ms: all 1 of Herald's outbound connections were busy",
    });
    expect((await hung).error?.kind).toBe('timeout');
  });

  it('closes a pool nobody used for idlePoolMs, with its keep-alive sockets', async () => {
    const sockets: Socket[] = [];
    // The receiver asks to keep connections for a minute, so only the pool's closing ends this one.
    const server: Server = createServer((req, res) => {
      sockets.push(req.socket);
      res.writeHead(200, { 'keep-alive': 'timeout=60' }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const http = client({ idlePoolMs: 50 });
      expect((await http.send(post(url, { key: 'ep_g', connections: 1 }))).status).toBe(200);
      const [socket] = sockets;
      await new Promise<void>((resolve) => (socket!.destroyed ? resolve() : socket!.once('close', resolve)));
      expect(socket!.destroyed).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps endpoints apart through the egress proxy too', async () => {
    const proxy = createServer();
    proxy.on('connect', (req, socket, head) => {
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const http = client({ proxyUrl, connectTimeoutMs: 1000 });
      const hung = [1, 2].map((i) =>
        http.send(post(`${receiver.url}/hang/p${i}`, { key: 'ep_h', connections: 1 }, 1000)),
      );
      const other = await http.send(post(`${receiver.url}/ok`, { key: 'ep_i', connections: 1 }, 1000));
      expect(other).toMatchObject({ status: 200, error: null });
      for (const r of await Promise.all(hung)) expect(r.error?.kind).toBe('timeout');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('keeps endpoints apart in the sender thread', async () => {
    const threaded = createThreadedHttpClient({
      allowPrivateNetworks: '127.0.0.0/8',
      connectionsPerOrigin: 1,
    });
    clients.push(threaded);
    const hung = threaded.send(post(`${receiver.url}/hang/t`, { key: 'ep_j', connections: 1 }, 1000));
    await receiver.waitFor(receiver.requests.filter((r) => r.url === '/hang/t').length + 1);
    const other = await threaded.send(post(`${receiver.url}/ok`, { key: 'ep_k', connections: 1 }, 1000));
    expect(other).toMatchObject({ status: 200, error: null });
    expect((await hung).error?.kind).toBe('timeout');
  });
});
