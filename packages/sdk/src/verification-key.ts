import { createHash, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.ts';

/**
 * verification-key: no signature, the endpoint's secret itself travels with
 * the request, in a header and/or in the URL where it holds
 * `{VerificationKey}`. Receivers compare it with what they expect.
 */
export const DEFAULT_VERIFICATION_KEY_HEADER = 'X-Verification-Key';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Throws `missing_key` or `invalid_key`; compares in constant time, whatever the lengths. */
export function verifyVerificationKey(expected: string, received: string | undefined, where?: string): void {
  const source = where ?? 'the request';
  if (received === undefined || received.length === 0) {
    throw new WebhookVerificationError('missing_key', `No verification key in ${source}.`);
  }
  // Hashing first gives equal-length inputs, so the comparison leaks neither content nor length.
  if (!timingSafeEqual(sha256(expected), sha256(received))) {
    throw new WebhookVerificationError(
      'invalid_key',
      `The verification key in ${source} is not this endpoint's key.`,
    );
  }
}
