import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect as netConnect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type OutboundRequest } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { type ReceiverReply, startReceiver } from '../helpers/receiver.ts';

const loopback = parseAllowPrivateNetworks('127.0.0.0/8,::1/128');

function post(url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"hello":"world"}',
    timeoutMs: 5000,
    ...extra,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('http client against loopback receivers', () => {
  const client = createHttpClient({ policy: loopback, maxResponseBytes: 1024 });
  let replies: ReceiverReply[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver((_req, i) => replies[i] ?? { status: 200 });
  });
  afterEach(() => {
    replies = [];
    receiver.requests.length = 0;
  });
  afterAll(async () => {
    await receiver.close();
    await client.close();
  });

  it('sends method, path, query, headers and body, and returns the response', async () => {
    replies = [
      { status: 200, headers: { 'x-receiver': 'yes', 'content-type': 'text/plain' }, body: 'thanks' },
    ];
    const result = await client.send(
      post(`${receiver.url}/hooks/in?team=7`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-custom': 'a', 'user-agent': 'Herald/t' },
      }),
    );

    expect(result).toMatchObject({ status: 200, body: 'thanks', error: null });
    expect(result.headers).toMatchObject({ 'x-receiver': 'yes', 'content-type': 'text/plain' });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const [got] = receiver.requests;
    expect(got).toMatchObject({ method: 'PUT', url: '/hooks/in?team=7', body: '{"hello":"world"}' });
    expect(got?.headers).toMatchObject({
      'x-custom': 'a',
      'user-agent': 'Herald/t',
      'content-type': 'application/json',
    });
  });

  it('returns a 500 as a response, not an error (the caller judges status codes)', async () => {
    replies = [{ status: 500, body: 'boom' }];
    const result = await client.send(post(`${receiver.url}/h`));
    expect(result).toMatchObject({ status: 500, body: 'boom', error: null });
  });

  it('does not follow redirects and says where it would have gone', async () => {
    replies = [{ status: 302, headers: { location: `${receiver.url}/elsewhere?token=s3cret` } }];
    const result = await client.send(post(`${receiver.url}/h`));

    expect(result.status).toBe(302);
    expect(result.error?.kind).toBe('redirect');
    expect(result.error?.message).toBe(
      `redirects are not followed (Location: ${receiver.url}/elsewhere?token=***)`,
    );
    expect(receiver.requests.map((r) => r.url)).toEqual(['/h']);
  });

  it('gives up on a receiver that never answers, within timeoutMs', async () => {
    replies = [{ hang: true }];
    const result = await client.send(post(`${receiver.url}/h`, { timeoutMs: 200 }));
    expect(result).toMatchObject({ status: null, headers: null, body: null });
    expect(result.error).toEqual({ kind: 'timeout', message: 'no complete response within 200 ms' });
  });

  it('keeps only the first maxResponseBytes of a large body', async () => {
    replies = [{ status: 200, body: 'x'.repeat(1024 * 1024) }];
    const result = await client.send(post(`${receiver.url}/h`));
    expect(result.error).toBeNull();
    expect(result.body).toBe('x'.repeat(1024));
  });

  it('does not cut a multi-byte character in half at the limit', async () => {
    replies = [{ status: 200, body: `${'a'.repeat(1023)}é and more` }];
    const result = await client.send(post(`${receiver.url}/h`));
    expect(result.body).toBe('a'.repeat(1023));
  });

  it('turns URL credentials into Basic auth', async () => {
    const url = receiver.url.replace('http://', 'http://hook%20user:p%40ss@');
    await client.send(post(`${url}/h`));
    const auth = receiver.requests[0]?.headers.authorization;
    expect(auth).toBe(`Basic ${Buffer.from('hook user:p@ss').toString('base64')}`);
  });

  it('reuses connections to the same origin', async () => {
    const ports = new Set<number>();
    const server = createServer((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    const url = await listen(server);
    try {
      for (let i = 0; i < 6; i++) expect((await client.send(post(url))).status).toBe(200);
      // Sequential requests come back to a pooled keep-alive socket (undici may open a second one while the first frees up).
      expect(ports.size).toBeLessThanOrEqual(2);
    } finally {
      await shut(server);
    }
  });
});

describe('http client failures are data', () => {
  const client = createHttpClient({ policy: loopback, maxResponseBytes: 4096 });
  afterAll(() => client.close());

  it('reports a refused connection', async () => {
    const server = createServer();
    const url = await listen(server);
    await shut(server);
    const result = await client.send(post(`${url}/h`));
    expect(result).toMatchObject({ status: null, error: { kind: 'connection_refused' } });
    expect(result.error?.message).toBe(`connection refused by ${url.slice('http://'.length)}`);
  });

  it('reports a connection closed mid-request', async () => {
    const server = createServer((req) => req.socket.destroy());
    const url = await listen(server);
    try {
      const result = await client.send(post(url));
      expect(result).toMatchObject({ status: null, error: { kind: 'connection_reset' } });
    } finally {
      await shut(server);
    }
  });

  it('stops reading an endless response at the limit instead of buffering it', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'y'.repeat(16 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          /* fill the socket buffer */
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const url = await listen(server);
    try {
      const result = await client.send(post(url, { timeoutMs: 10_000 }));
      expect(result).toMatchObject({ status: 200, error: null });
      expect(result.body).toBe('y'.repeat(4096));
    } finally {
      await shut(server);
    }
  });

  it('bounds the body by the same deadline as the headers', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // and never end
    });
    const url = await listen(server);
    try {
      const result = await client.send(post(url, { timeoutMs: 200 }));
      expect(result.status).toBe(200);
      expect(result.body).toBe('partial');
      expect(result.error?.kind).toBe('timeout');
    } finally {
      await shut(server);
    }
  });

  it('reports a name that does not resolve', async () => {
    const result = await client.send(post('http://herald-test.invalid/h', { timeoutMs: 3000 }));
    expect(result.status).toBeNull();
    expect(result.error?.kind).toBe('dns');
    expect(result.error?.message).toMatch(/^could not resolve herald-test\.invalid/);
  });

  it('refuses URLs that are not http or https', async () => {
    expect((await client.send(post('ftp://example.com/x'))).error).toEqual({
      kind: 'invalid_url',
      message: 'only http: and https: URLs can receive webhooks, not ftp:',
    });
    expect((await client.send(post('not a url?key=abc'))).error).toEqual({
      kind: 'invalid_url',
      message: "'not a url?key=***' is not a valid URL",
    });
  });

  it('reports a TLS failure (plain HTTP answering an https URL)', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const url = await listen(server);
    try {
      const result = await client.send(post(url.replace('http:', 'https:'), { timeoutMs: 2000 }));
      expect(result.status).toBeNull();
      expect(result.error?.kind).toBe('tls');
    } finally {
      await shut(server);
    }
  });
});

describe('SSRF guard', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const closed = createHttpClient({ policy: parseAllowPrivateNetworks(undefined) });
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await closed.close();
  });

  it('refuses loopback by default, with the message that says how to allow it', async () => {
    const result = await closed.send(post(`${receiver.url}/h`));
    expect(result).toMatchObject({ status: null, headers: null, body: null });
    expect(result.error).toEqual({
      kind: 'private_network',
      message:
        '127.0.0.1 is a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true (or a CIDR list such as 127.0.0.0/8) to allow it',
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a hostname when it resolves to loopback, at connect time', async () => {
    const result = await closed.send(post(`http://localhost:${receiver.port}/h`));
    expect(result.error?.kind).toBe('private_network');
    expect(result.error?.message).toMatch(
      /^localhost resolves to a refused address: .* is a loopback address/,
    );
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses the cloud metadata address without connecting', async () => {
    const result = await closed.send(post('http://169.254.169.254/latest/meta-data/', { timeoutMs: 2000 }));
    expect(result.error?.kind).toBe('private_network');
    expect(result.error?.message).toMatch(
      /^169\.254\.169\.254 is a link-local address \(a cloud metadata service\)/,
    );
  });

  it('refuses IPv4-mapped IPv6 loopback', async () => {
    const result = await closed.send(post(`http://[::ffff:127.0.0.1]:${receiver.port}/h`));
    expect(result.error?.kind).toBe('private_network');
    expect(result.error?.message).toMatch(/maps to 127\.0\.0\.1, a loopback address/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('lets through what the policy allows, by literal and by name', async () => {
    const open = createHttpClient({ policy: loopback });
    try {
      expect((await open.send(post(`${receiver.url}/a`))).status).toBe(200);
      expect((await open.send(post(`http://localhost:${receiver.port}/b`))).status).toBe(200);
      expect(receiver.requests.map((r) => r.url)).toEqual(['/a', '/b']);
    } finally {
      await open.close();
    }
  });

  it('allows everything with allowPrivate', async () => {
    const open = createHttpClient({ policy: parseAllowPrivateNetworks('true') });
    try {
      expect((await open.send(post(`${receiver.url}/c`))).error).toBeNull();
    } finally {
      await open.close();
    }
  });
});

describe('egress proxy', () => {
  let proxy: Server;
  let proxyUrl: string;
  const tunnels: string[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    // A minimal CONNECT proxy: records where it was asked to go and pipes bytes.
    proxy = createServer();
    proxy.on('connect', (req, socket, head) => {
      tunnels.push(req.url ?? '');
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
    proxyUrl = await listen(proxy);
  });
  afterAll(async () => {
    await receiver.close();
    await shut(proxy);
  });

  it('sends through the proxy', async () => {
    const client = createHttpClient({ policy: loopback, proxyUrl });
    try {
      const result = await client.send(post(`${receiver.url}/via-proxy`));
      expect(result).toMatchObject({ status: 200, error: null });
      expect(tunnels).toContain(`127.0.0.1:${receiver.port}`);
      expect(receiver.requests.map((r) => r.url)).toContain('/via-proxy');
    } finally {
      await client.close();
    }
  });

  it('still refuses private destinations before asking the proxy', async () => {
    const client = createHttpClient({ policy: parseAllowPrivateNetworks(undefined), proxyUrl });
    const before = tunnels.length;
    try {
      const result = await client.send(post(`http://localhost:${receiver.port}/nope`));
      expect(result.error?.kind).toBe('private_network');
      expect(tunnels).toHaveLength(before);
    } finally {
      await client.close();
    }
  });
});
