/**
 * The ownership challenge's shape (DESIGN v2, "Ownership challenge with the
 * platform's own shape"): the request Herald sends and where the answer is
 * read from. Herald's own shape is the default; an endpoint's `verification`
 * replaces both so that a receiver written from another platform's docs
 * (`{"eventName":"verify","payload":{"challenge":…}}`) passes unchanged.
 */
import type { VerificationConfig } from './types.ts';

export const VERIFICATION_EVENT_TYPE = 'endpoint.verification';
export const CHALLENGE_PLACEHOLDER = '{{challenge}}';
export const ENDPOINT_ID_PLACEHOLDER = '{{endpointId}}';

/** Herald's own shape, for endpoints without `verification`. */
export const DEFAULT_VERIFICATION: VerificationConfig = {
  request: { type: VERIFICATION_EVENT_TYPE, data: { challenge: CHALLENGE_PLACEHOLDER } },
  answerField: 'challenge',
};

export interface ChallengeValues {
  challenge: string;
  endpointId: string;
}

/**
 * A copy of `template` with the placeholders replaced in every string value,
 * also inside longer strings (`"ch-{{challenge}}"`). Keys are left alone: a
 * platform names its fields, it does not compute them. Done on the parsed
 * value, never on JSON text, so no value can break out of its string.
 */
export function fillTemplate(template: unknown, values: ChallengeValues): unknown {
  if (typeof template === 'string') {
    return template
      .replaceAll(CHALLENGE_PLACEHOLDER, values.challenge)
      .replaceAll(ENDPOINT_ID_PLACEHOLDER, values.endpointId);
  }
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, values));
  if (template !== null && typeof template === 'object') {
    // fromEntries defines own properties, so even a "__proto__" key is copied as a key.
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fillTemplate(value, values)]),
    );
  }
  return template;
}

/** The challenge request's body: compact JSON, the exact bytes that are signed and sent. */
export function challengeRequestBody(config: VerificationConfig | null, values: ChallengeValues): string {
  return JSON.stringify(fillTemplate((config ?? DEFAULT_VERIFICATION).request, values));
}

/** Whether `{{challenge}}` appears in some string of `template`: without it no receiver can answer. */
export function mentionsChallenge(template: unknown): boolean {
  if (typeof template === 'string') return template.includes(CHALLENGE_PLACEHOLDER);
  if (Array.isArray(template)) return template.some(mentionsChallenge);
  if (template !== null && typeof template === 'object')
    return Object.values(template).some(mentionsChallenge);
  return false;
}

/**
 * The value at a dot path of a parsed JSON answer, or undefined. Only own
 * properties count, so `constructor` or `__proto__` in a path never reach
 * Object.prototype.
 */
export function readAnswerField(answer: unknown, path: string): unknown {
  let at: unknown = answer;
  for (const segment of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, segment)) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/** What a right answer looks like for `path`, for failure messages: `{"data":{"answer":"<hex …>"}}`. */
export function exampleAnswer(path: string): string {
  const leaf = '"<hex HMAC-SHA256(key, challenge)>"';
  return path.split('.').reduceRight((inner, segment) => `{${JSON.stringify(segment)}:${inner}}`, leaf);
}
