import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  buildOutboundRequest,
  type OutboundMessage,
  redactHeaders,
} from '../../src/delivery/outbound-request.ts';
import type { Endpoint } from '../../src/domain/types.ts';
import { makeEndpoint, TEST_SECRET } from '../helpers/fixtures.ts';

const OLD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const NOW_SEC = Math.floor(Date.now() / 1000);

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    webhookId: 'evt_01JDTESTWEBHOOKID00000000',
    body: '{"id":"evt_01JDTESTWEBHOOKID00000000","type":"order.created","data":{"n":1}}',
    contentType: 'application/json',
    requestId: 'req_01JDTESTREQUEST000000000',
    timestampSec: NOW_SEC,
    ...overrides,
  };
}

function endpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return makeEndpoint('t1', 'https://receiver.example.com/hooks', overrides);
}

describe('buildOutboundRequest', () => {
  it('builds the request with Herald headers, standard-webhooks signature and custom headers', () => {
    const ep = endpoint({ method: 'PUT', timeoutMs: 7000, headers: { 'X-Correlation-Id': 'erp-7' } });
    const msg = message();
    const { request, displayUrl } = buildOutboundRequest(ep, msg, 'Herald/1.2.3');

    expect(request).toMatchObject({
      url: 'https://receiver.example.com/hooks',
      method: 'PUT',
      body: msg.body,
      timeoutMs: 7000,
    });
    expect(displayUrl).toBe('https://receiver.example.com/hooks');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Herald/1.2.3',
      'x-request-id': msg.requestId,
      'webhook-id': msg.webhookId,
      'webhook-timestamp': String(NOW_SEC),
      'x-correlation-id': 'erp-7',
    });
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // Every name is lower-case, so nothing is sent twice in different cases.
    for (const name of Object.keys(request.headers)) expect(name).toBe(name.toLowerCase());

    expect(new Webhook(TEST_SECRET).verify(msg.body, request.headers)).toEqual(JSON.parse(msg.body));
  });

  it('signs with both secrets during a rotation, so receivers holding either verify', () => {
    const ep = endpoint({
      secrets: [
        { value: TEST_SECRET, expiresAt: null },
        { value: OLD_SECRET, expiresAt: (NOW_SEC + 3600) * 1000 },
      ],
    });
    const msg = message();
    const { request } = buildOutboundRequest(ep, msg, 'Herald/t');

    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(() => new Webhook(TEST_SECRET).verify(msg.body, request.headers)).not.toThrow();
    expect(() => new Webhook(OLD_SECRET).verify(msg.body, request.headers)).not.toThrow();
  });

  it('stops signing with a rotated-out secret once its grace period has ended', () => {
    const ep = endpoint({
      secrets: [
        { value: TEST_SECRET, expiresAt: null },
        { value: OLD_SECRET, expiresAt: NOW_SEC * 1000 },
      ],
    });
    const msg = message();
    const { request } = buildOutboundRequest(ep, msg, 'Herald/t');

    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(() => new Webhook(TEST_SECRET).verify(msg.body, request.headers)).not.toThrow();
    expect(() => new Webhook(OLD_SECRET).verify(msg.body, request.headers)).toThrow();
  });

  it('custom headers cannot replace the request id or the signature', () => {
    const ep = endpoint({
      headers: { 'X-Request-Id': 'mine', 'Webhook-Signature': 'forged', 'User-Agent': 'Custom/1' },
    });
    const msg = message();
    const { request } = buildOutboundRequest(ep, msg, 'Herald/t');
    expect(request.headers['x-request-id']).toBe(msg.requestId);
    expect(request.headers['webhook-signature']).not.toBe('forged');
    expect(request.headers['user-agent']).toBe('Custom/1');
  });

  it('signs the raw body with hmac-sha256 in the configured header, prefix and encoding', () => {
    const secret = 'my-shared-secret';
    const msg = message();
    const hex = buildOutboundRequest(
      endpoint({
        secrets: [{ value: secret, expiresAt: null }],
        signature: {
          scheme: 'hmac-sha256',
          header: 'X-Hub-Signature-256',
          prefix: 'sha256=',
          encoding: 'hex',
        },
      }),
      msg,
      'Herald/t',
    ).request.headers;
    expect(hex['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', secret).update(msg.body).digest('hex')}`,
    );
    expect(hex['webhook-signature']).toBeUndefined();

    const b64 = buildOutboundRequest(
      endpoint({
        secrets: [{ value: secret, expiresAt: null }],
        signature: { scheme: 'hmac-sha256', header: 'X-SF-Signature', encoding: 'base64' },
      }),
      msg,
      'Herald/t',
    ).request.headers;
    expect(b64['x-sf-signature']).toBe(createHmac('sha256', secret).update(msg.body).digest('base64'));
  });

  it('sends a verification key in its header and in the URL, and shows neither', () => {
    const key = 'k3y/with&odd=chars';
    const ep = endpoint({
      url: 'https://assess.example.com/hook/{VerificationKey}?key={VerificationKey}',
      secrets: [{ value: key, expiresAt: null }],
      signature: { scheme: 'verification-key', header: 'X-SmarterMeasure-Verification-Key' },
    });
    const { request, displayUrl } = buildOutboundRequest(ep, message(), 'Herald/t');

    const encoded = encodeURIComponent(key);
    expect(request.url).toBe(`https://assess.example.com/hook/${encoded}?key=${encoded}`);
    expect(request.headers['x-smartermeasure-verification-key']).toBe(key);
    expect(displayUrl).toBe('https://assess.example.com/hook/{VerificationKey}?key={VerificationKey}');
    expect(displayUrl).not.toContain(encoded);

    const logged = redactHeaders(request.headers, ep);
    expect(logged['x-smartermeasure-verification-key']).toBe('***');
    expect(JSON.stringify(logged)).not.toContain(key);
    expect(logged['x-request-id']).toBe(request.headers['x-request-id']);
  });

  it('sends a verification key only in the URL when no header is configured', () => {
    const ep = endpoint({
      url: 'https://assess.example.com/hook?vk={VerificationKey}',
      secrets: [{ value: 'plainkey123', expiresAt: null }],
      signature: { scheme: 'verification-key' },
    });
    const { request } = buildOutboundRequest(ep, message(), 'Herald/t');
    expect(request.url).toBe('https://assess.example.com/hook?vk=plainkey123');
    expect(Object.values(request.headers)).not.toContain('plainkey123');
  });

  it('does not substitute the placeholder for other schemes', () => {
    const ep = endpoint({ url: 'https://x.example.com/{VerificationKey}' });
    expect(buildOutboundRequest(ep, message(), 'Herald/t').request.url).toBe(
      'https://x.example.com/{VerificationKey}',
    );
  });
});

describe('redactHeaders', () => {
  it('keeps signatures and ordinary headers, masks credentials and anything holding a secret', () => {
    const ep = endpoint({ secrets: [{ value: 'whsec_secretvalue', expiresAt: null }] });
    const logged = redactHeaders(
      {
        'content-type': 'application/json',
        'webhook-signature': 'v1,abc=',
        authorization: 'Bearer tok',
        'x-echo': 'prefix-whsec_secretvalue',
      },
      ep,
    );
    expect(logged).toEqual({
      'content-type': 'application/json',
      'webhook-signature': 'v1,abc=',
      authorization: '***',
      'x-echo': '***',
    });
  });
});
