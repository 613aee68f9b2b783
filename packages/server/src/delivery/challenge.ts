/**
 * The ownership challenge: Herald sends a random challenge, signed like any
 * message, and the endpoint proves it holds the secret by answering 2xx JSON
 * with the hex HMAC-SHA256 of the challenge. Only a receiver that can compute
 * the HMAC passes, so a URL typed by mistake (or someone else's) never gets
 * live traffic.
 *
 * The request and the answer's field are Herald's own
 * (`{"type":"endpoint.verification","data":{"challenge":…}}` → `{"challenge":…}`)
 * unless the endpoint's `verification` gives a platform's own shape
 * (domain/verification.ts); the HMAC is the same either way, computed by the
 * SDK's `isValidChallengeResponse`, which receivers' `challengeResponse` mirrors.
 */
import { randomBytes } from 'node:crypto';
import { isValidChallengeResponse } from '@herald/sdk';
import { JSON_CONTENT_TYPE } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import type { Attempt, Endpoint } from '../domain/types.ts';
import {
  challengeRequestBody,
  DEFAULT_VERIFICATION,
  exampleAnswer,
  readAnswerField,
  VERIFICATION_EVENT_TYPE,
} from '../domain/verification.ts';
import { sendOnce, type TestSendDeps } from './test-send.ts';

export interface ChallengeResult {
  verified: boolean;
  /** Why it failed, in words the endpoint's owner can act on; null when verified. */
  reason: string | null;
  attempt: Attempt;
}

/** Whether `received` is the right answer; a secret that cannot be a key counts as a wrong answer, not a crash. */
function answerMatches(secret: string, challenge: string, received: string): boolean {
  try {
    return isValidChallengeResponse(secret, challenge, received);
  } catch {
    return false;
  }
}

export async function runChallenge(
  deps: TestSendDeps,
  endpoint: Endpoint,
  challenge: string = randomBytes(32).toString('hex'),
): Promise<ChallengeResult> {
  const secret = endpoint.secrets[0]?.value ?? '';
  const { answerField } = endpoint.verification ?? DEFAULT_VERIFICATION;
  const field = endpoint.verification ? `"${answerField}" (verification.answerField)` : `"${answerField}"`;
  const shape = exampleAnswer(answerField);
  // The challenge is a POST whatever the endpoint's method: that is what platforms' receivers expect.
  const { result, attempt } = await sendOnce(
    deps,
    { ...endpoint, method: 'POST' },
    {
      body: challengeRequestBody(endpoint.verification, { challenge, endpointId: endpoint.id }),
      // Always JSON, whatever the endpoint's format: the answer is JSON too.
      contentType: JSON_CONTENT_TYPE,
      eventType: VERIFICATION_EVENT_TYPE,
      webhookId: newId('msg', deps.clock()),
    },
  );
  const fail = (reason: string): ChallengeResult => {
    // The log shows the challenge as failed even when the status was 2xx.
    attempt.succeeded = false;
    attempt.error ??= { kind: 'http_status', message: reason };
    return { verified: false, reason, attempt };
  };
  if (result.error) return fail(`the challenge could not be delivered: ${result.error.message}`);
  if (result.status === null || result.status < 200 || result.status > 299) {
    return fail(`the endpoint answered ${result.status} to the challenge; it must answer 2xx with ${shape}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(result.body ?? '');
  } catch {
    return fail(`the endpoint answered the challenge without a JSON body; answer ${shape}`);
  }
  const received = readAnswerField(answer, answerField);
  if (typeof received !== 'string') {
    return fail(`the answer has no ${field} string; answer ${shape}`);
  }
  if (!answerMatches(secret, challenge, received)) {
    return fail(
      `the answer's ${field} is not HMAC-SHA256(key, challenge) in hex for this endpoint's secret; check the receiver's secret`,
    );
  }
  return { verified: true, reason: null, attempt };
}
