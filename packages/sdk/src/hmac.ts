import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.ts';
import type { Body } from './scheme.ts';

/**
 * HMAC-SHA256 of the raw body alone, e.g. `X-Hub-Signature-256: sha256=<hex>`.
 * The key is the secret's UTF-8 bytes, exactly what a receiver's
 * `createHmac('sha256', process.env.WEBHOOK_SECRET)` uses.
 */
export interface HmacOptions {
  /** Text before the digest, e.g. "sha256=". */
  prefix?: string;
  /** Default 'hex'. */
  encoding?: 'hex' | 'base64';
}

export interface HmacVerifyOptions extends HmacOptions {
  /** The header's name, only to make error messages name it. */
  header?: string;
}

function digest(secret: string, body: Body): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function signHmacSha256(secret: string, body: Body, opts: HmacOptions = {}): string {
  return (opts.prefix ?? '') + digest(secret, body).toString(opts.encoding ?? 'hex');
}

function decode(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/**
 * Throws a WebhookVerificationError unless one of the (space- or
 * comma-separated) values in the header is the body's signature.
 */
export function verifyHmacSha256(
  secret: string,
  signatureHeaderValue: string | undefined,
  body: Body,
  opts: HmacVerifyOptions = {},
): void {
  const header = opts.header ?? 'signature';
  const prefix = opts.prefix ?? '';
  const encoding = opts.encoding ?? 'hex';
  const values = (signatureHeaderValue ?? '').split(/[\s,]+/).filter((v) => v.length > 0);
  if (values.length === 0)
    throw new WebhookVerificationError('missing_header', `Missing the ${header} header.`);

  const candidates: Buffer[] = [];
  for (const value of values) {
    if (!value.startsWith(prefix)) continue;
    const decoded = decode(value.slice(prefix.length), encoding);
    if (decoded) candidates.push(decoded);
  }
  if (candidates.length === 0) {
    const shape = `${prefix}<${encoding} HMAC-SHA256>`;
    throw new WebhookVerificationError(
      'invalid_signature',
      `The ${header} header is not of the form "${shape}".`,
    );
  }
  const expected = digest(secret, body);
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) {
    throw new WebhookVerificationError(
      'no_matching_signature',
      `The ${header} header does not match this secret and body (wrong secret, or the body was changed or re-serialized).`,
    );
  }
}
