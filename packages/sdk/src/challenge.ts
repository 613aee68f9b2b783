import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKeyBytes } from './secrets.ts';

/**
 * Ownership challenge: Herald sends `{"type":"endpoint.verification",
 * "data":{"challenge":"<hex>"}}` (or the endpoint's `verification.request`,
 * e.g. `{"eventName":"verify","payload":{"challenge":"<hex>"}}`); the
 * endpoint proves it holds the secret by answering
 * `{"challenge": challengeResponse(secret, challenge)}` (or the value at the
 * endpoint's `verification.answerField`). For a secret that is not `whsec_`
 * this is `createHmac('sha256', secret)`, the same as platform SDKs' helpers
 * such as `smartcar.hashChallenge(token, challenge)`.
 */
export function challengeResponse(secret: string, challenge: string): string {
  return createHmac('sha256', secretKeyBytes(secret)).update(challenge, 'utf8').digest('hex');
}

/** Herald's side: whether an endpoint's answer is right, compared in constant time. */
export function isValidChallengeResponse(secret: string, challenge: string, response: unknown): boolean {
  if (typeof response !== 'string') return false;
  const expected = Buffer.from(challengeResponse(secret, challenge), 'utf8');
  const received = Buffer.from(response.toLowerCase(), 'utf8');
  return received.length === expected.length && timingSafeEqual(received, expected);
}
