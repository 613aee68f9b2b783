import { randomBytes } from 'node:crypto';
import { WebhookVerificationError } from './errors.ts';
import type { SignatureScheme } from './scheme.ts';

export const STANDARD_SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decodes the base64 part of a `whsec_` secret. The prefix is optional here,
 * because receivers often keep only the base64 part in their environment.
 * Strict about base64: a lenient decoder would silently turn a mistyped
 * secret into a different key and every signature would just "not match".
 */
export function decodeStandardSecret(secret: string): Buffer {
  const encoded = secret.startsWith(STANDARD_SECRET_PREFIX)
    ? secret.slice(STANDARD_SECRET_PREFIX.length)
    : secret;
  if (encoded.length === 0 || !BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new WebhookVerificationError(
      'invalid_secret',
      'The secret is not a Standard Webhooks secret: expected "whsec_" followed by base64 (A-Z, a-z, 0-9, +, /).',
    );
  }
  return Buffer.from(encoded, 'base64');
}

/** True for `whsec_<base64>` whose key is 24–64 bytes, the secrets Herald accepts for standard-webhooks. */
export function isStandardWebhookSecret(s: string): boolean {
  if (!s.startsWith(STANDARD_SECRET_PREFIX)) return false;
  try {
    const key = decodeStandardSecret(s);
    return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES;
  } catch {
    return false;
  }
}

/** A new random secret suited to the scheme (32 random bytes either way). */
export function generateSecret(scheme: SignatureScheme['scheme'] = 'standard-webhooks'): string {
  const bytes = randomBytes(32);
  if (scheme === 'standard-webhooks') return STANDARD_SECRET_PREFIX + bytes.toString('base64');
  return `hsk_${bytes.toString('base64url')}`;
}

/**
 * The HMAC key a secret stands for where any kind of secret may appear (the
 * ownership challenge): a `whsec_` secret's decoded bytes, otherwise the
 * secret's UTF-8 bytes, as `createHmac('sha256', secret)` would use it.
 */
export function secretKeyBytes(secret: string): Buffer {
  if (secret.startsWith(STANDARD_SECRET_PREFIX)) return decodeStandardSecret(secret);
  return Buffer.from(secret, 'utf8');
}
