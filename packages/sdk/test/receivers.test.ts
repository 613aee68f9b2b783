import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
// The entry users import for Fastify: it also types request.webhook.
import { heraldFastify } from '../src/fastify.ts';
import {
  type ExpressLikeRequest,
  generateSecret,
  heraldExpress,
  readRawBody,
  type SignatureScheme,
  signatureHeaders,
  verifyNextRequest,
  verifyNodeRequest,
  WebhookVerificationError,
} from '../src/index.ts';

const SECRET = generateSecret();
const NOW = 1_732_370_000;
const PAYLOAD = { id: 'evt_1', type: 'device.enrolled', version: 1, data: { name: 'Zoë', n: 1.5 } };
const BODY = JSON.stringify(PAYLOAD);

function signed(
  body = BODY,
  scheme: SignatureScheme = { scheme: 'standard-webhooks' },
  secret = SECRET,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...signatureHeaders(scheme, [secret], { id: 'evt_1', timestampSec: NOW, body }),
  };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('node-http receiver', () => {
  const url = (limit?: number) =>
    serve((req, res) => {
      readRawBody(req, limit)
        .then((raw) =>
          sendJson(res, 200, { got: verifyNodeRequest(req, raw, { secret: SECRET, nowSec: NOW }) }),
        )
        .catch((err: WebhookVerificationError) => sendJson(res, 401, { code: err.code }));
    });

  it('verifies a signed request and returns the parsed payload', async () => {
    const res = await post(await url(), BODY, signed());
    expect(res).toEqual({ status: 200, json: { got: PAYLOAD } });
  });

  it('refuses a tampered body and a missing signature', async () => {
    const target = await url();
    const tampered = await post(target, BODY.replace('Zoë', 'Zoe'), signed());
    expect(tampered).toEqual({ status: 401, json: { code: 'no_matching_signature' } });
    const { 'webhook-signature': _, ...unsigned } = signed();
    expect(await post(target, BODY, unsigned)).toEqual({ status: 401, json: { code: 'missing_header' } });
  });

  it('stops reading past the limit', async () => {
    const res = await post(await url(16), BODY, signed());
    expect(res).toEqual({ status: 401, json: { code: 'body_too_large' } });
  });

  it('verifies hmac-sha256 and returns non-JSON bodies as text', async () => {
    const scheme: SignatureScheme = {
      scheme: 'hmac-sha256',
      header: 'X-Hub-Signature-256',
      prefix: 'sha256=',
    };
    const xml = '<event><id>evt_1</id></event>';
    const target = await serve((req, res) => {
      readRawBody(req)
        .then((raw) =>
          sendJson(res, 200, { got: verifyNodeRequest(req, raw, { secret: 'plain secret', scheme }) }),
        )
        .catch((err: WebhookVerificationError) => sendJson(res, 401, { code: err.code }));
    });
    const headers = { ...signed(xml, scheme, 'plain secret'), 'content-type': 'application/xml' };
    expect(await post(target, xml, headers)).toEqual({ status: 200, json: { got: xml } });
  });
});

type BodyParser = 'none' | 'raw' | 'json';

/** An Express-like chain (body parser → heraldExpress → handler → error handler) on a plain Node server. */
function expressLike(parser: BodyParser) {
  const middleware = heraldExpress({ secret: SECRET, nowSec: NOW });
  return serve((req: ExpressLikeRequest, res) => {
    const fail = (err: unknown) => sendJson(res, 500, { message: (err as Error).message });
    const run = () =>
      middleware(req, res, (err) => (err ? fail(err) : sendJson(res, 200, { webhook: req.webhook })));
    if (parser === 'none') return run();
    readRawBody(req).then((raw) => {
      req.body = parser === 'raw' ? raw : JSON.parse(raw.toString('utf8'));
      run();
    }, fail);
  });
}

describe('express receiver', () => {
  it('reads the stream itself when no body parser ran', async () => {
    const res = await post(await expressLike('none'), BODY, signed());
    expect(res).toEqual({ status: 200, json: { webhook: PAYLOAD } });
  });

  it('uses the Buffer left by express.raw()', async () => {
    const res = await post(await expressLike('raw'), BODY, signed());
    expect(res).toEqual({ status: 200, json: { webhook: PAYLOAD } });
  });

  it('answers 401 {error, code} on a bad signature', async () => {
    const res = await post(await expressLike('raw'), BODY, signed(BODY, undefined, generateSecret()));
    expect(res.status).toBe(401);
    expect(res.json.code).toBe('no_matching_signature');
    expect(res.json.error).toMatch(/matches this secret/);
  });

  it('fails loudly, naming the fix, after express.json()', async () => {
    const res = await post(await expressLike('json'), BODY, signed());
    expect(res.status).toBe(500);
    expect(res.json.message).toMatch(/express\.raw/);
  });
});

describe('fastify receiver', () => {
  let handled = 0;
  async function app() {
    handled = 0;
    const herald = heraldFastify({ secret: SECRET, nowSec: NOW });
    const fastify = Fastify();
    fastify.post('/plain', async (request) => ({ body: request.body }));
    await fastify.register(async (scope) => {
      herald.addRawBodyParser(scope);
      scope.post('/hooks', { preHandler: herald.preHandler }, async (request) => {
        handled += 1;
        return { webhook: request.webhook };
      });
    });
    return fastify;
  }

  it('verifies the raw bytes and exposes the payload', async () => {
    const fastify = await app();
    const res = await fastify.inject({ method: 'POST', url: '/hooks', payload: BODY, headers: signed() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ webhook: PAYLOAD });
    expect(handled).toBe(1);
    await fastify.close();
  });

  it('answers 401 with the code, and leaves other routes alone', async () => {
    const fastify = await app();
    const res = await fastify.inject({
      method: 'POST',
      url: '/hooks',
      payload: `${BODY} `,
      headers: signed(),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('no_matching_signature');
    expect(handled).toBe(0);
    const plain = await fastify.inject({ method: 'POST', url: '/plain', payload: { a: 1 } });
    expect(plain.json()).toEqual({ body: { a: 1 } });
    await fastify.close();
  });
});

describe('next (fetch Request) receiver', () => {
  const request = (body: string, headers: Record<string, string>) =>
    new Request('http://127.0.0.1/api/hooks', { method: 'POST', body, headers });

  it('returns the verified payload', async () => {
    await expect(
      verifyNextRequest(request(BODY, signed()), { secret: SECRET, nowSec: NOW }),
    ).resolves.toEqual(PAYLOAD);
  });

  it('throws WebhookVerificationError with a code', async () => {
    const tooLate = verifyNextRequest(request(BODY, signed()), { secret: SECRET, nowSec: NOW + 301 });
    await expect(tooLate).rejects.toMatchObject({
      name: 'WebhookVerificationError',
      code: 'timestamp_too_old',
    });
    const tampered = verifyNextRequest(request('{}', signed()), { secret: SECRET, nowSec: NOW });
    await expect(tampered).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it('verifies a verification key carried in the URL', async () => {
    const scheme: SignatureScheme = { scheme: 'verification-key' };
    const req = new Request('http://127.0.0.1/hooks/key-123456', { method: 'POST', body: BODY });
    const receivedKey = new URL(req.url).pathname.split('/').pop();
    await expect(verifyNextRequest(req, { secret: 'key-123456', scheme, receivedKey })).resolves.toEqual(
      PAYLOAD,
    );
  });
});
