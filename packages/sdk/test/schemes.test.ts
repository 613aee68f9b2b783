import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  challengeResponse,
  generateSecret,
  isValidChallengeResponse,
  type SignatureScheme,
  signatureHeaders,
  signHmacSha256,
  verifyHmacSha256,
  verifyVerificationKey,
  verifyWebhook,
  WebhookVerificationError,
} from '../src/index.ts';

const SECRET = 'my webhook secret';
const BODY = '{"id":"evt_1","type":"blogPost.update","data":{"title":"Grüße"}}';
const hex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

function codeOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('expected a WebhookVerificationError, nothing was thrown');
}

describe('hmac-sha256', () => {
  it('equals createHmac(sha256, secret) of the body, with and without prefix', () => {
    expect(signHmacSha256(SECRET, BODY)).toBe(hex(SECRET, BODY));
    expect(signHmacSha256(SECRET, BODY, { prefix: 'sha256=' })).toBe(`sha256=${hex(SECRET, BODY)}`);
    expect(signHmacSha256(SECRET, Buffer.from(BODY))).toBe(hex(SECRET, BODY));
  });

  it('has a base64 variant', () => {
    const expected = createHmac('sha256', SECRET).update(BODY).digest('base64');
    expect(signHmacSha256(SECRET, BODY, { encoding: 'base64' })).toBe(expected);
    expect(() => verifyHmacSha256(SECRET, expected, BODY, { encoding: 'base64' })).not.toThrow();
    expect(codeOf(() => verifyHmacSha256(SECRET, expected, `${BODY} `, { encoding: 'base64' }))).toBe(
      'no_matching_signature',
    );
  });

  it('verifies its own signature, upper-case hex too', () => {
    const opts = { prefix: 'sha256=' };
    expect(() => verifyHmacSha256(SECRET, signHmacSha256(SECRET, BODY, opts), BODY, opts)).not.toThrow();
    expect(() => verifyHmacSha256(SECRET, hex(SECRET, BODY).toUpperCase(), BODY)).not.toThrow();
  });

  it('fails on a tampered body or another secret', () => {
    const sig = signHmacSha256(SECRET, BODY);
    expect(codeOf(() => verifyHmacSha256(SECRET, sig, BODY.replace('Grüße', 'Grusse')))).toBe(
      'no_matching_signature',
    );
    expect(codeOf(() => verifyHmacSha256('another secret', sig, BODY))).toBe('no_matching_signature');
  });

  it('fails on a wrong or missing prefix, naming the expected shape', () => {
    const sig = signHmacSha256(SECRET, BODY, { prefix: 'sha1=' });
    let message = '';
    try {
      verifyHmacSha256(SECRET, sig, BODY, { prefix: 'sha256=', header: 'X-Hub-Signature-256' });
    } catch (err) {
      expect((err as WebhookVerificationError).code).toBe('invalid_signature');
      message = (err as Error).message;
    }
    expect(message).toContain('X-Hub-Signature-256');
    expect(message).toContain('sha256=<hex HMAC-SHA256>');
    expect(codeOf(() => verifyHmacSha256(SECRET, hex(SECRET, BODY), BODY, { prefix: 'sha256=' }))).toBe(
      'invalid_signature',
    );
  });

  it('reports a missing header', () => {
    expect(codeOf(() => verifyHmacSha256(SECRET, undefined, BODY))).toBe('missing_header');
    expect(codeOf(() => verifyHmacSha256(SECRET, '  ', BODY))).toBe('missing_header');
  });

  it('accepts any of several space- or comma-separated values', () => {
    const good = signHmacSha256(SECRET, BODY, { prefix: 'sha256=' });
    const bad = signHmacSha256('old secret', BODY, { prefix: 'sha256=' });
    expect(() => verifyHmacSha256(SECRET, `${bad} ${good}`, BODY, { prefix: 'sha256=' })).not.toThrow();
    expect(() => verifyHmacSha256(SECRET, `${bad},${good}`, BODY, { prefix: 'sha256=' })).not.toThrow();
    expect(codeOf(() => verifyHmacSha256(SECRET, `${bad}, ${bad}`, BODY, { prefix: 'sha256=' }))).toBe(
      'no_matching_signature',
    );
  });
});

describe('verification-key', () => {
  it('accepts the exact key and refuses others, of any length', () => {
    expect(() => verifyVerificationKey('k-123456', 'k-123456')).not.toThrow();
    expect(codeOf(() => verifyVerificationKey('k-123456', 'k-123457'))).toBe('invalid_key');
    expect(codeOf(() => verifyVerificationKey('k-123456', 'k-12345'))).toBe('invalid_key');
    expect(codeOf(() => verifyVerificationKey('k-123456', undefined))).toBe('missing_key');
    expect(codeOf(() => verifyVerificationKey('k-123456', ''))).toBe('missing_key');
  });
});

describe('signatureHeaders', () => {
  const msg = { id: 'evt_01J', timestampSec: 1_732_370_000, body: BODY };

  it('standard-webhooks: always the three headers, signed with every secret', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const headers = signatureHeaders({ scheme: 'standard-webhooks' }, [current, previous], msg);
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-id']).toBe('evt_01J');
    expect(headers['webhook-timestamp']).toBe('1732370000');
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    const opts = { nowSec: msg.timestampSec };
    for (const secret of [current, previous]) {
      expect(() => verifyWebhook({ scheme: 'standard-webhooks' }, secret, headers, BODY, opts)).not.toThrow();
    }
  });

  it('standard-webhooks: verifiable by the standardwebhooks package', () => {
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({ scheme: 'standard-webhooks' }, [secret], {
      ...msg,
      timestampSec: now,
    });
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
  });

  it('hmac-sha256: one header, signed with the current secret only', () => {
    const scheme: SignatureScheme = {
      scheme: 'hmac-sha256',
      header: 'X-Scalar-Signature',
      prefix: 'sha256=',
    };
    const headers = signatureHeaders(scheme, [SECRET, 'old secret'], msg);
    expect(headers).toEqual({ 'X-Scalar-Signature': `sha256=${hex(SECRET, BODY)}` });
    expect(() => verifyWebhook(scheme, SECRET, headers, BODY)).not.toThrow();
    expect(codeOf(() => verifyWebhook(scheme, 'old secret', headers, BODY))).toBe('no_matching_signature');
  });

  it('hmac-sha256: base64 encoding and no prefix', () => {
    const scheme: SignatureScheme = { scheme: 'hmac-sha256', header: 'X-SF-Signature', encoding: 'base64' };
    const headers = signatureHeaders(scheme, [SECRET], msg);
    expect(headers['X-SF-Signature']).toBe(createHmac('sha256', SECRET).update(BODY).digest('base64'));
    expect(() =>
      verifyWebhook(scheme, SECRET, { 'x-sf-signature': headers['X-SF-Signature'] }, BODY),
    ).not.toThrow();
  });

  it('verification-key: the key in the configured header, nothing without one', () => {
    const scheme: SignatureScheme = {
      scheme: 'verification-key',
      header: 'X-SmarterMeasure-Verification-Key',
    };
    const headers = signatureHeaders(scheme, ['key-123456', 'old-key'], msg);
    expect(headers).toEqual({ 'X-SmarterMeasure-Verification-Key': 'key-123456' });
    expect(() => verifyWebhook(scheme, 'key-123456', headers, BODY)).not.toThrow();
    expect(codeOf(() => verifyWebhook(scheme, 'old-key', headers, BODY))).toBe('invalid_key');
    expect(signatureHeaders({ scheme: 'verification-key' }, ['key-123456'], msg)).toEqual({});
  });

  it('refuses to sign without a secret', () => {
    expect(codeOf(() => signatureHeaders({ scheme: 'standard-webhooks' }, [], msg))).toBe('invalid_secret');
  });
});

describe('verifyWebhook', () => {
  it('verification-key: reads the default header, or the key taken from the URL', () => {
    const scheme: SignatureScheme = { scheme: 'verification-key' };
    expect(() =>
      verifyWebhook(scheme, 'key-123456', { 'x-verification-key': 'key-123456' }, BODY),
    ).not.toThrow();
    expect(() => verifyWebhook(scheme, 'key-123456', {}, BODY, { receivedKey: 'key-123456' })).not.toThrow();
    expect(codeOf(() => verifyWebhook(scheme, 'key-123456', {}, BODY, { receivedKey: 'nope' }))).toBe(
      'invalid_key',
    );
    expect(codeOf(() => verifyWebhook(scheme, 'key-123456', {}, BODY))).toBe('missing_key');
  });

  it('hmac-sha256: names the configured header when it is missing', () => {
    const scheme: SignatureScheme = {
      scheme: 'hmac-sha256',
      header: 'X-Hub-Signature-256',
      prefix: 'sha256=',
    };
    expect(() => verifyWebhook(scheme, SECRET, {}, BODY)).toThrow(/X-Hub-Signature-256/);
  });
});

describe('ownership challenge', () => {
  it('hex HMAC-SHA256 of the challenge: whsec_ key bytes, or the UTF-8 secret', () => {
    const whsec = generateSecret();
    const key = Buffer.from(whsec.slice('whsec_'.length), 'base64');
    expect(challengeResponse(whsec, 'abc123')).toBe(createHmac('sha256', key).update('abc123').digest('hex'));
    expect(challengeResponse(SECRET, 'abc123')).toBe(hex(SECRET, 'abc123'));
  });

  it('checks an answer', () => {
    const answer = challengeResponse(SECRET, 'abc123');
    expect(isValidChallengeResponse(SECRET, 'abc123', answer)).toBe(true);
    expect(isValidChallengeResponse(SECRET, 'abc123', answer.toUpperCase())).toBe(true);
    expect(isValidChallengeResponse(SECRET, 'abc124', answer)).toBe(false);
    expect(isValidChallengeResponse(SECRET, 'abc123', answer.slice(1))).toBe(false);
    expect(isValidChallengeResponse(SECRET, 'abc123', 42)).toBe(false);
  });
});
