/**
 * The ownership challenge: Herald sends a signed
 * `{"type":"endpoint.verification","data":{"challenge":"<hex>"}}` and the
 * endpoint proves it holds the secret by answering 2xx with
 * `{"challenge":"<hex HMAC-SHA256(key, challenge)>"}`. Only a receiver that
 * can compute the HMAC passes, so a URL typed by mistake (or someone else's)
 * never gets live traffic.
 */
import { randomBytes } from 'node:crypto';
import { isValidChallengeResponse } from '@herald/sdk';
import { JSON_CONTENT_TYPE } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import type { Attempt, Endpoint } from '../domain/types.ts';
import { sendOnce, type TestSendDeps } from './test-send.ts';

export const VERIFICATION_EVENT_TYPE = 'endpoint.verification';

export interface ChallengeResult {
  verified: boolean;
  /** Why it failed, in words the endpoint's owner can act on; null when verified. */
  reason: string | null;
  attempt: Attempt;
}

/** The challenge body; always JSON, whatever the endpoint's format, because the answer is JSON too. */
export function challengeBody(challenge: string): string {
  return JSON.stringify({ type: VERIFICATION_EVENT_TYPE, data: { challenge } });
}

export async function runChallenge(
  deps: TestSendDeps,
  endpoint: Endpoint,
  challenge: string = randomBytes(32).toString('hex'),
): Promise<ChallengeResult> {
  const secret = endpoint.secrets[0]?.value ?? '';
  const { result, attempt } = await sendOnce(deps, endpoint, {
    body: challengeBody(challenge),
    contentType: JSON_CONTENT_TYPE,
    eventType: VERIFICATION_EVENT_TYPE,
    webhookId: newId('msg', deps.clock()),
  });
  const fail = (reason: string): ChallengeResult => {
    // The log shows the challenge as failed even when the status was 2xx.
    attempt.succeeded = false;
    attempt.error ??= { kind: 'http_status', message: reason };
    return { verified: false, reason, attempt };
  };
  if (result.error) return fail(`the challenge could not be delivered: ${result.error.message}`);
  if (result.status === null || result.status < 200 || result.status > 299) {
    return fail(`the endpoint answered ${result.status} to the challenge; it must answer 2xx`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(result.body ?? '');
  } catch {
    return fail('the endpoint answered the challenge without a JSON body; answer {"challenge":"<hex>"}');
  }
  const received = (answer as { challenge?: unknown } | null)?.challenge;
  if (typeof received !== 'string') {
    return fail(
      'the answer has no "challenge" string; answer {"challenge":"<hex HMAC-SHA256(key, challenge)>"}',
    );
  }
  if (!isValidChallengeResponse(secret, challenge, received)) {
    return fail(
      "the answer's challenge is not HMAC-SHA256(key, challenge) in hex for this endpoint's secret; check the receiver's secret",
    );
  }
  return { verified: true, reason: null, attempt };
}
