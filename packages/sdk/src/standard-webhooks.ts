import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.ts';
import { getHeader, type HeadersLike } from './headers.ts';
import type { Body } from './scheme.ts';
import { decodeStandardSecret } from './secrets.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com):
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
 */
export const DEFAULT_TOLERANCE_SEC = 300;

export interface StandardVerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way (replay window). Default 300. */
  toleranceSec?: number;
  /** "Now" in unix seconds; tests pass a fixed value. */
  nowSec?: number;
}

function digest(key: Buffer, msgId: string, timestampSec: number | string, body: Body): Buffer {
  return createHmac('sha256', key).update(`${msgId}.${timestampSec}.`).update(body).digest();
}

/**
 * The `webhook-signature` value. With several secrets (the current one and
 * rotated-out ones still in their grace period) it holds one space-separated
 * `v1,` entry per secret, so a receiver holding any one of them verifies.
 */
export function signStandardWebhook(
  secrets: string | string[],
  msgId: string,
  timestampSec: number,
  body: Body,
): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new WebhookVerificationError('invalid_secret', 'No secret to sign with.');
  return list
    .map(
      (secret) => `v1,${digest(decodeStandardSecret(secret), msgId, timestampSec, body).toString('base64')}`,
    )
    .join(' ');
}

function requireHeader(headers: HeadersLike, name: string): string {
  const value = getHeader(headers, name)?.trim();
  if (!value) throw new WebhookVerificationError('missing_header', `Missing the ${name} header.`);
  return value;
}

function checkTimestamp(raw: string, opts: StandardVerifyOptions): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp "${raw.slice(0, 40)}" is not a unix time in seconds.`,
    );
  }
  const timestamp = Number(raw);
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
  if (now - timestamp > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${now - timestamp}s old, more than the ${tolerance}s tolerance (a replay, or a clock out of sync).`,
    );
  }
  if (timestamp - now > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      `webhook-timestamp is ${timestamp - now}s in the future, more than the ${tolerance}s tolerance (a clock out of sync).`,
    );
  }
  return timestamp;
}

/** The decoded signatures of every `v1,` entry; other versions are skipped, as the spec asks. */
function v1Signatures(header: string): Buffer[] {
  const found: Buffer[] = [];
  // Entries are space-separated; tolerate ", " too, which a proxy folding repeated headers produces.
  for (const entry of header.split(/\s+/)) {
    const [version, signature] = entry.replace(/,$/, '').split(',', 2);
    if (version === 'v1' && signature) found.push(Buffer.from(signature, 'base64'));
  }
  return found;
}

/** Throws a WebhookVerificationError saying what failed; returns nothing when the request is genuine. */
export function verifyStandardWebhook(
  secret: string,
  headers: HeadersLike,
  body: Body,
  opts: StandardVerifyOptions = {},
): void {
  const msgId = requireHeader(headers, 'webhook-id');
  const rawTimestamp = requireHeader(headers, 'webhook-timestamp');
  const signatureHeader = requireHeader(headers, 'webhook-signature');
  const key = decodeStandardSecret(secret);
  const timestamp = checkTimestamp(rawTimestamp, opts);

  const candidates = v1Signatures(signatureHeader);
  if (candidates.length === 0) {
    throw new WebhookVerificationError(
      'invalid_signature',
      'webhook-signature holds no "v1,<base64>" entry.',
    );
  }
  const expected = digest(key, msgId, timestamp, body);
  // Check every candidate, without stopping early, so timing says nothing about which one matched.
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      'No signature in webhook-signature matches this secret and body (wrong secret, or the body was changed or re-serialized).',
    );
  }
}
