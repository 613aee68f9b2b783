/**
 * What Fastify and Node answer before any route runs comes back in Herald's
 * error shape too: unknown routes and methods, URLs that do not decode, path
 * segments over the router's limit, headers over Node's limit, requests that
 * are not HTTP, and requests that arrive while the server closes.
 */
import { type AddressInfo, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type Harness, startApi } from './harness.ts';
import { expectError } from './store-kinds.ts';

/** Writes raw bytes on one connection and collects what comes back until the server closes it. */
function rawExchange(
  port: number,
  write: (send: (text: string) => void) => Promise<void> | void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.on('connect', () => {
      Promise.resolve(write((text) => socket.write(text))).catch(reject);
    });
  });
}

/** Each HTTP/1.1 response in `raw` as status and parsed JSON body. */
function responses(raw: string): { status: number; body: any }[] {
  const out: { status: number; body: any }[] = [];
  let rest = raw;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, headEnd);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    out.push({ status: Number(head.slice(9, 12)), body: JSON.parse(body) });
    rest = rest.slice(headEnd + 4 + length);
  }
  return out;
}

const request = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer ${ADMIN_KEY}\r\n${extra}\r\n`;

describe('framework errors in Herald’s shape', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startApi();
    await h.tenant('acme');
  });
  afterEach(async () => h.close());

  it('answers unknown routes and methods with 404', async () => {
    for (const [method, url] of [
      ['GET', '/v1/nothing-here'],
      ['PUT', '/v1/tenants'],
      ['PROPFIND', '/v1/tenants'],
      ['DELETE', '/v1/event-types'],
    ] as const) {
      const error = expectError(await h.call(method, url), 404, 'not_found');
      expect(error.message).toContain(`no route for ${method} `);
    }
  });

  it('answers a path segment over the router limit with 414, and takes 128-character names', async () => {
    const long = await h.call('POST', `/v1/tenants/${'a'.repeat(600)}/events`, { type: 'a.b', data: {} });
    expect(expectError(long, 414, 'uri_too_long').message).toMatch(/longer than 512 characters/);
    const del = await h.call('DELETE', `/v1/tenants/${'a'.repeat(600)}`);
    expectError(del, 414, 'uri_too_long');
    const name = `a.${'b'.repeat(126)}`;
    expect((await h.call('POST', '/v1/event-types', { name })).status).toBe(201);
    expect((await h.call('GET', `/v1/event-types/${name}`)).body.name).toBe(name);
    expect((await h.call('PATCH', `/v1/event-types/${name}`, { description: 'x' })).status).toBe(200);
  });

  it('answers a URL that does not decode with 400', async () => {
    const error = expectError(await h.call('GET', '/v1/tenants/%E0%A4%A'), 400, 'bad_request');
    expect(error.message).toContain('percent-escape');
  });

  describe('on a socket', () => {
    let port: number;
    beforeEach(async () => {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      port = (h.app.server.address() as AddressInfo).port;
    });

    it('answers headers over Node’s limit with 431, and a long URL too', async () => {
      for (const raw of [
        request('/v1/tenants', `X-Big: ${'a'.repeat(20_000)}\r\n`),
        request(`/v1/tenants?cursor=${'a'.repeat(20_000)}`),
      ]) {
        const [answer] = responses(await rawExchange(port, (send) => send(raw)));
        expect(answer?.status).toBe(431);
        expect(answer?.body.error.code).toBe('headers_too_large');
        expect(answer?.body.error.message).toMatch(/larger than the \d+ bytes accepted/);
      }
    });

    it('answers a request that is not HTTP with 400', async () => {
      for (const raw of ['FOO /v1/tenants HTTP/1.1\r\nHost: x\r\n\r\n', 'GARBAGE\r\n\r\n']) {
        const [answer] = responses(await rawExchange(port, (send) => send(raw)));
        expect(answer).toEqual({
          status: 400,
          body: { error: { code: 'bad_request', message: expect.stringContaining('not valid HTTP/1.1') } },
        });
      }
    });
  });
});

describe('closing', () => {
  it('answers requests arriving while it closes with Herald’s 503', async () => {
    const h = await startApi();
    // A request in flight keeps the connection open; the next one on it arrives after close began.
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let closingStarted!: () => void;
    const closing = new Promise<void>((resolve) => {
      closingStarted = resolve;
    });
    h.app.get('/test/slow', { schema: { hide: true }, config: { access: 'public' } }, async () => {
      entered();
      await released;
      return { slow: true };
    });
    h.app.addHook('preClose', async () => closingStarted());
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as AddressInfo).port;
    // The slow request finishes once the next one has reached the server (listeners run in order: Fastify's first).
    h.app.server.on('request', (req) => {
      if (req.url === '/healthz') release();
    });

    let closed: Promise<void> | undefined;
    try {
      const raw = await rawExchange(port, async (send) => {
        send(request('/test/slow'));
        await inFlight;
        closed = h.close();
        await closing;
        send(request('/healthz'));
      });
      const [first, second] = responses(raw);
      expect(first).toEqual({ status: 200, body: { slow: true } });
      expect(second).toEqual({
        status: 503,
        body: { error: { code: 'unavailable', message: expect.stringContaining('shutting down') } },
      });
    } finally {
      release();
      await (closed ?? h.close());
    }
  });
});
