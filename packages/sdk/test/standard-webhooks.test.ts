import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  isStandardWebhookSecret,
  signStandardWebhook,
  verifyStandardWebhook,
  WebhookVerificationError,
} from '../src/index.ts';

// The specification's published test vector.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headersFor = (signature: string, timestamp = TIMESTAMP, id = MSG_ID) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

function codeOf(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('expected a WebhookVerificationError, nothing was thrown');
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('Standard Webhooks: the specification vector', () => {
  it('signs to the published signature, from a string or from bytes', () => {
    expect(signStandardWebhook(SECRET, MSG_ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
    expect(signStandardWebhook([SECRET], MSG_ID, TIMESTAMP, new TextEncoder().encode(BODY))).toBe(SIGNATURE);
  });

  it('verifies the published signature', () => {
    expect(() =>
      verifyStandardWebhook(SECRET, headersFor(SIGNATURE), BODY, { nowSec: TIMESTAMP }),
    ).not.toThrow();
  });

  it('accepts the secret without its whsec_ prefix', () => {
    const bare = SECRET.slice('whsec_'.length);
    expect(signStandardWebhook(bare, MSG_ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('refuses a changed body, id or timestamp', () => {
    const opts = { nowSec: TIMESTAMP };
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, headersFor(SIGNATURE), '{"test":2432232314}', opts)),
    ).toBe('no_matching_signature');
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, headersFor(SIGNATURE, TIMESTAMP, 'msg_other'), BODY, opts)),
    ).toBe('no_matching_signature');
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, headersFor(SIGNATURE, TIMESTAMP + 1), BODY, opts)),
    ).toBe('no_matching_signature');
  });

  it('refuses another secret', () => {
    expect(
      codeOf(() =>
        verifyStandardWebhook(generateSecret(), headersFor(SIGNATURE), BODY, { nowSec: TIMESTAMP }),
      ),
    ).toBe('no_matching_signature');
  });
});

describe('Standard Webhooks: headers and timestamps', () => {
  it('names the missing header', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string> = headersFor(SIGNATURE);
      delete headers[name];
      let caught: unknown;
      try {
        verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(WebhookVerificationError);
      expect((caught as WebhookVerificationError).code).toBe('missing_header');
      expect((caught as WebhookVerificationError).message).toContain(name);
    }
  });

  it('reads headers case-insensitively, from objects and from Web Headers', () => {
    const upper = {
      'Webhook-Id': MSG_ID,
      'WEBHOOK-TIMESTAMP': String(TIMESTAMP),
      'Webhook-Signature': SIGNATURE,
    };
    expect(() => verifyStandardWebhook(SECRET, upper, BODY, { nowSec: TIMESTAMP })).not.toThrow();
    expect(() =>
      verifyStandardWebhook(SECRET, new Headers(upper), BODY, { nowSec: TIMESTAMP }),
    ).not.toThrow();
  });

  it('applies the tolerance both ways (default 300 s)', () => {
    const headers = headersFor(SIGNATURE);
    expect(() => verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP + 300 })).not.toThrow();
    expect(() => verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP - 300 })).not.toThrow();
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP + 301 }))).toBe(
      'timestamp_too_old',
    );
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP - 301 }))).toBe(
      'timestamp_in_future',
    );
    expect(
      codeOf(() =>
        verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP + 61, toleranceSec: 60 }),
      ),
    ).toBe('timestamp_too_old');
  });

  it('checks the timestamp before the signature, with the real clock by default', () => {
    expect(codeOf(() => verifyStandardWebhook(SECRET, headersFor(SIGNATURE), BODY))).toBe(
      'timestamp_too_old',
    );
  });

  it('refuses a timestamp that is not unix seconds', () => {
    const headers = { ...headersFor(SIGNATURE), 'webhook-timestamp': '2021-02-25T15:02:10Z' };
    expect(codeOf(() => verifyStandardWebhook(SECRET, headers, BODY, { nowSec: TIMESTAMP }))).toBe(
      'invalid_timestamp',
    );
  });

  it('skips other versions and reports a header with no v1 entry', () => {
    const mixed = `v1a,AAAA ${SIGNATURE}`;
    expect(() => verifyStandardWebhook(SECRET, headersFor(mixed), BODY, { nowSec: TIMESTAMP })).not.toThrow();
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, headersFor('v2,abc'), BODY, { nowSec: TIMESTAMP })),
    ).toBe('invalid_signature');
    expect(
      codeOf(() => verifyStandardWebhook(SECRET, headersFor('garbage'), BODY, { nowSec: TIMESTAMP })),
    ).toBe('invalid_signature');
  });

  it('refuses a secret that is not base64', () => {
    expect(codeOf(() => verifyStandardWebhook('whsec_not*base64!', headersFor(SIGNATURE), BODY))).toBe(
      'invalid_secret',
    );
    expect(codeOf(() => signStandardWebhook('whsec_', MSG_ID, TIMESTAMP, BODY))).toBe('invalid_secret');
  });
});

describe('Standard Webhooks: rotation (several secrets)', () => {
  it('signs once per secret, space-separated, and each secret alone verifies', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const header = signStandardWebhook([current, previous], MSG_ID, TIMESTAMP, BODY);
    expect(header.split(' ')).toHaveLength(2);
    const opts = { nowSec: TIMESTAMP };
    expect(() => verifyStandardWebhook(current, headersFor(header), BODY, opts)).not.toThrow();
    expect(() => verifyStandardWebhook(previous, headersFor(header), BODY, opts)).not.toThrow();
    expect(codeOf(() => verifyStandardWebhook(generateSecret(), headersFor(header), BODY, opts))).toBe(
      'no_matching_signature',
    );
  });

  it('accepts entries folded with ", " by a proxy', () => {
    const a = generateSecret();
    const b = generateSecret();
    const [sigA, sigB] = signStandardWebhook([a, b], MSG_ID, TIMESTAMP, BODY).split(' ');
    const folded = {
      'webhook-id': MSG_ID,
      'webhook-timestamp': String(TIMESTAMP),
      'webhook-signature': [sigA!, sigB!],
    };
    expect(() => verifyStandardWebhook(b, folded, BODY, { nowSec: TIMESTAMP })).not.toThrow();
  });
});

describe('Standard Webhooks: cross-checked with the standardwebhooks package', () => {
  const body = JSON.stringify({ id: 'evt_1', type: 'device.enrolled', data: { name: 'café ☕', n: 1 } });

  it('what we sign, it verifies: one secret and two secrets, each alone', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const ts = nowSec();
    expect(
      new Webhook(current).verify(
        body,
        headersFor(signStandardWebhook(current, 'evt_1', ts, body), ts, 'evt_1'),
      ),
    ).toEqual(JSON.parse(body));
    const both = headersFor(signStandardWebhook([current, previous], 'evt_1', ts, body), ts, 'evt_1');
    expect(new Webhook(current).verify(body, both)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, both)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, both)).toThrow();
  });

  it('what it signs, we verify', () => {
    const secret = generateSecret();
    const ts = nowSec();
    const signature = new Webhook(secret).sign('evt_2', new Date(ts * 1000), body);
    expect(() => verifyStandardWebhook(secret, headersFor(signature, ts, 'evt_2'), body)).not.toThrow();
    expect(codeOf(() => verifyStandardWebhook(secret, headersFor(signature, ts, 'evt_2'), `${body} `))).toBe(
      'no_matching_signature',
    );
  });
});

describe('secrets', () => {
  it('generates whsec_ secrets of 32 bytes that the standardwebhooks package accepts', () => {
    const secret = generateSecret('standard-webhooks');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(isStandardWebhookSecret(secret)).toBe(true);
    expect(generateSecret()).not.toBe(secret);
  });

  it('generates hsk_ base64url secrets for the other schemes', () => {
    expect(generateSecret('hmac-sha256')).toMatch(/^hsk_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('verification-key')).toMatch(/^hsk_[A-Za-z0-9_-]{43}$/);
  });

  it('recognises whsec_ secrets of 24–64 bytes only', () => {
    expect(isStandardWebhookSecret(SECRET)).toBe(true); // 24 bytes
    expect(isStandardWebhookSecret(`whsec_${Buffer.alloc(64, 1).toString('base64')}`)).toBe(true);
    expect(isStandardWebhookSecret(`whsec_${Buffer.alloc(23, 1).toString('base64')}`)).toBe(false);
    expect(isStandardWebhookSecret(`whsec_${Buffer.alloc(65, 1).toString('base64')}`)).toBe(false);
    expect(isStandardWebhookSecret(SECRET.slice('whsec_'.length))).toBe(false);
    expect(isStandardWebhookSecret('whsec_***not-base64***')).toBe(false);
    expect(isStandardWebhookSecret('')).toBe(false);
  });
});
