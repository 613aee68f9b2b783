import { WebhookVerificationError } from './errors.ts';
import { signHmacSha256 } from './hmac.ts';
import type { Body, SignatureScheme } from './scheme.ts';
import { signStandardWebhook } from './standard-webhooks.ts';

export interface SignedMessage {
  /** The webhook id, the same on every retry (receivers dedupe on it). */
  id: string;
  /** This attempt's time, unix seconds. */
  timestampSec: number;
  /** The exact bytes that will be sent. */
  body: Body;
}

/**
 * The headers to add to a request for the endpoint's scheme. `secrets` is the
 * current secret first, then rotated-out ones still in their grace period:
 * standard-webhooks signs with all of them; the other schemes carry a single
 * value, so they use the current secret only.
 */
export function signatureHeaders(
  scheme: SignatureScheme,
  secrets: string[],
  msg: SignedMessage,
): Record<string, string> {
  const current = secrets[0];
  if (current === undefined) throw new WebhookVerificationError('invalid_secret', 'No secret to sign with.');
  switch (scheme.scheme) {
    case 'standard-webhooks':
      return {
        'webhook-id': msg.id,
        'webhook-timestamp': String(msg.timestampSec),
        'webhook-signature': signStandardWebhook(secrets, msg.id, msg.timestampSec, msg.body),
      };
    case 'hmac-sha256':
      return {
        [scheme.header]: signHmacSha256(current, msg.body, {
          prefix: scheme.prefix,
          encoding: scheme.encoding,
        }),
      };
    case 'verification-key':
      // Without a header the key reaches the endpoint only through the URL's {VerificationKey}.
      return scheme.header ? { [scheme.header]: current } : {};
  }
}
