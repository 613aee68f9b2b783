/**
 * Endpoint configuration as the API takes it: defaults applied, every field
 * and every combination of fields checked, so a stored endpoint is always one
 * the worker can send to. Creation and PATCH share one check, run on the
 * merged result, so a PATCH cannot produce what a create would refuse.
 */

import { generateSecret, isStandardWebhookSecret } from '@herald/sdk';
import type { Static } from '@sinclair/typebox';
import { destinationTargetProblem, isHttpUrl } from '../delivery/destinations/registry.ts';
import { ENDPOINT_DEFAULTS } from '../domain/defaults.ts';
import { signatureHeaderNames } from '../domain/endpoint-url.ts';
import { HeraldError } from '../domain/errors.ts';
import { maxInFlightCap, maxInFlightCapReason } from '../domain/fair-share.ts';
import { validateFilter } from '../domain/filter.ts';
import { isReservedHeaderName, validateCustomHeaders } from '../domain/headers.ts';
import { newId } from '../domain/ids.ts';
import { validateEventTypePatterns } from '../domain/patterns.ts';
import { restoreMaskedUserinfo } from '../domain/redact.ts';
import type { Endpoint, EndpointSecret, SignatureConfig, VerificationConfig } from '../domain/types.ts';
import { CHALLENGE_PLACEHOLDER, mentionsChallenge } from '../domain/verification.ts';
import type { EndpointPatch } from '../store/port.ts';
import {
  type CreateEndpointBody,
  type PatchEndpointBody,
  type SignatureSchema,
  VERIFICATION_REQUEST_MAX_BYTES,
} from './schemas/endpoints.ts';

export type CreateEndpointInput = Static<typeof CreateEndpointBody>;
export type PatchEndpointInput = Static<typeof PatchEndpointBody>;

export interface EndpointRules {
  maxCustomHeaders: number;
  /**
   * HERALD_WORKER_CONCURRENCY: a `maxInFlight` given above a quarter of it is
   * refused, and the default is kept within it. Absent, only the schema's range applies.
   */
  workerConcurrency?: number;
  /**
   * Compiles a transform in the sandbox: null when it is usable, else what is wrong
   * (a syntax error with its line, no handler). Absent, transforms are stored unchecked.
   */
  checkTransform?: (source: string) => string | null;
}

/** A transform of nothing but white space is no transform. */
function transformOf(source: string | null | undefined): string | null {
  return source === undefined || source === null || source.trim() === '' ? null : source;
}

const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}$/;
const PRINTABLE_SECRET = /^[\x20-\x7e]{8,256}$/;
// Plain names only, so a path needs no escaping and reads the same in a platform's docs as here.
const ANSWER_FIELD = /^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64}){0,15}$/;

function fail(path: string, message: string): never {
  throw new HeraldError('validation_failed', `${path} ${message}`, [{ path, message }]);
}

/**
 * A `maxInFlight` the request asks for, within the worker share
 * (domain/fair-share.ts). Only a value given is checked: rows stored before
 * the rule, or on a Herald with more slots, stay editable, and the dispatcher
 * clamps them when it sends.
 */
function checkMaxInFlight(value: number | undefined, rules: EndpointRules): void {
  if (value === undefined || rules.workerConcurrency === undefined) return;
  const cap = maxInFlightCap(rules.workerConcurrency);
  if (value > cap)
    fail('maxInFlight', `must be at most ${cap}: ${maxInFlightCapReason(rules.workerConcurrency)}`);
}

function defaultMaxInFlight(rules: EndpointRules): number {
  const fallback = ENDPOINT_DEFAULTS.maxInFlight;
  return rules.workerConcurrency === undefined
    ? fallback
    : Math.min(fallback, maxInFlightCap(rules.workerConcurrency));
}

/**
 * The endpoint's URL and `destination` options, whatever its kind (http(s),
 * a broker, the relay): the kind's checks, so the API never branches on it.
 */
export function checkTarget(
  url: string,
  destination: Record<string, unknown> | null,
  scheme: SignatureConfig['scheme'],
): void {
  const problem = destinationTargetProblem(url, destination, scheme);
  if (problem === null) return;
  const { path, message } = problem;
  // Most read on from the field ("destination.qos must be 0, 1 or 2…"); a sentence follows it and a colon.
  if (!problem.sentence) fail(path, message);
  throw new HeraldError('validation_failed', `${path}: ${message}`, [{ path, message }]);
}

type SignatureInput = Static<typeof SignatureSchema>;

export function normalizeSignature(input: SignatureInput): SignatureConfig {
  if (input.scheme !== 'hmac-sha256' && (input.prefix !== undefined || input.encoding !== undefined)) {
    fail('signature', "prefix and encoding apply only to scheme 'hmac-sha256'; remove them");
  }
  if (input.header !== undefined) {
    if (input.scheme === 'standard-webhooks') {
      fail('signature.header', "is not used by 'standard-webhooks' (it sends webhook-signature); remove it");
    }
    if (!HEADER_TOKEN.test(input.header)) {
      fail('signature.header', `'${input.header}' is not a valid header name; use e.g. X-Signature`);
    }
    if (isReservedHeaderName(input.header)) {
      fail('signature.header', `'${input.header}' is reserved: Herald sets it itself; choose another name`);
    }
  }
  if (input.scheme === 'hmac-sha256') {
    if (input.header === undefined) {
      fail('signature.header', 'is required for hmac-sha256, e.g. "X-Hub-Signature-256"');
    }
    if (input.prefix !== undefined && !/^[\x21-\x7e]*$/.test(input.prefix)) {
      fail('signature.prefix', 'must be printable characters without spaces, e.g. "sha256="');
    }
    return {
      scheme: 'hmac-sha256',
      header: input.header,
      ...(input.prefix !== undefined ? { prefix: input.prefix } : {}),
      encoding: input.encoding ?? 'hex',
    };
  }
  if (input.scheme === 'verification-key') {
    return input.header === undefined
      ? { scheme: 'verification-key' }
      : { scheme: 'verification-key', header: input.header };
  }
  return { scheme: 'standard-webhooks' };
}

export function checkSecret(secret: string, scheme: SignatureConfig['scheme'], path = 'secret'): void {
  if (scheme === 'standard-webhooks') {
    if (!isStandardWebhookSecret(secret)) {
      fail(
        path,
        'must be a Standard Webhooks secret: "whsec_" followed by base64 of 24–64 bytes (or leave it out to get one)',
      );
    }
  } else if (!PRINTABLE_SECRET.test(secret)) {
    fail(path, 'must be 8–256 printable ASCII characters (or leave it out to get one)');
  }
}

/**
 * The challenge request must carry the challenge (else no receiver can
 * answer it) and stay small: it is sent as one request body and stored with
 * the endpoint. The answer field is a dot path of plain names.
 */
export function checkVerification(verification: VerificationConfig | null): void {
  if (verification === null) return;
  if (!ANSWER_FIELD.test(verification.answerField)) {
    fail(
      'verification.answerField',
      `${JSON.stringify(verification.answerField)} is not a dot path: use 1–16 names of letters, digits, "_" or "-" (1–64 characters each) joined by ".", e.g. "challenge" or "data.answer"`,
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(verification.request) ?? '', 'utf8');
  if (bytes > VERIFICATION_REQUEST_MAX_BYTES) {
    fail(
      'verification.request',
      `is ${bytes} bytes as JSON; it may be at most ${VERIFICATION_REQUEST_MAX_BYTES} (8 KiB): send only what the receiver reads`,
    );
  }
  if (!mentionsChallenge(verification.request)) {
    fail(
      'verification.request',
      `must hold "${CHALLENGE_PLACEHOLDER}" in one of its strings, e.g. {"payload":{"challenge":"${CHALLENGE_PLACEHOLDER}"}}: without it the receiver cannot answer`,
    );
  }
}

/** Checks the whole configuration; the fields are already in range (the request schema saw to that). */
export function checkEndpoint(ep: Endpoint, rules: EndpointRules): void {
  checkTarget(ep.url, ep.destination, ep.signature.scheme);
  if (ep.requireVerification && !isHttpUrl(ep.url)) {
    fail(
      'requireVerification',
      'only an http(s) endpoint can answer an ownership challenge; set requireVerification to false for this URL',
    );
  }
  const current = ep.secrets[0];
  if (current) checkSecret(current.value, ep.signature.scheme);
  const headerError = validateCustomHeaders(ep.headers, {
    maxCount: rules.maxCustomHeaders,
    reserved: signatureHeaderNames(ep.signature),
  });
  if (headerError !== null) fail('headers', headerError);
  if (ep.eventTypes !== null) {
    const patternError = validateEventTypePatterns(ep.eventTypes);
    if (patternError !== null) fail('eventTypes', patternError);
  }
  if (ep.filter !== null) {
    const filterError = validateFilter(ep.filter);
    if (filterError !== null) fail('filter', filterError);
  }
  if (ep.maxBacklog !== null && ep.overflow !== 'drop-oldest') {
    fail(
      'maxBacklog',
      "applies only with overflow 'drop-oldest'; set overflow to 'drop-oldest' or maxBacklog to null",
    );
  }
  if (ep.overflow === 'drop-oldest' && ep.maxBacklog === null) {
    fail(
      'maxBacklog',
      "is required with overflow 'drop-oldest': how many pending deliveries to keep, e.g. 1000",
    );
  }
  checkVerification(ep.verification);
  if (ep.transform !== null && rules.checkTransform) {
    const problem = rules.checkTransform(ep.transform);
    if (problem !== null) fail('transform', problem);
  }
}

export function buildEndpoint(
  tenantId: string,
  input: CreateEndpointInput,
  now: number,
  rules: EndpointRules,
): Endpoint {
  checkMaxInFlight(input.maxInFlight, rules);
  const signature = normalizeSignature(input.signature ?? { scheme: 'standard-webhooks' });
  const secret = input.secret ?? generateSecret(signature.scheme);
  const requireVerification = input.requireVerification ?? ENDPOINT_DEFAULTS.requireVerification;
  const endpoint: Endpoint = {
    id: newId('ep', now),
    tenantId,
    url: input.url.trim(),
    name: input.name ?? '',
    description: input.description ?? '',
    status: requireVerification ? 'pending_verification' : (input.status ?? 'active'),
    eventTypes: input.eventTypes ?? null,
    filter: input.filter ?? null,
    secrets: [{ value: secret, expiresAt: null }],
    signature,
    envelope: input.envelope ?? ENDPOINT_DEFAULTS.envelope,
    format: input.format ?? ENDPOINT_DEFAULTS.format,
    method: input.method ?? ENDPOINT_DEFAULTS.method,
    headers: input.headers ?? {},
    timeoutMs: input.timeoutMs ?? ENDPOINT_DEFAULTS.timeoutMs,
    retry: input.retry ?? { ...ENDPOINT_DEFAULTS.retry },
    batch: input.batch ?? null,
    rateLimit: input.rateLimit ?? null,
    overflow: input.overflow ?? ENDPOINT_DEFAULTS.overflow,
    maxBacklog: input.maxBacklog ?? null,
    ordered: input.ordered ?? ENDPOINT_DEFAULTS.ordered,
    requireVerification,
    verification: input.verification ?? null,
    transform: transformOf(input.transform),
    destination: input.destination ?? null,
    maxInFlight: input.maxInFlight ?? defaultMaxInFlight(rules),
    hasResources: false,
    verifiedAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
  };
  checkEndpoint(endpoint, rules);
  return endpoint;
}

/**
 * The patch to store for a PATCH body, after checking the merged endpoint.
 * Status moves: `active` re-enables a disabled endpoint (clearing its reason)
 * but cannot skip a required ownership check; turning `requireVerification`
 * on for an unverified endpoint parks it until verified.
 */
export function planEndpointPatch(
  current: Endpoint,
  input: PatchEndpointInput,
  rules: EndpointRules,
): EndpointPatch {
  const { secret, signature: signatureInput, status: requested, url, ...rest } = input;
  checkMaxInFlight(input.maxInFlight, rules);
  const patch: EndpointPatch = { ...rest };
  // A URL sent back as the API showed it (its password masked) keeps the stored password.
  if (url !== undefined) {
    const restored = restoreMaskedUserinfo(url.trim(), current.url);
    if (restored === null) {
      fail(
        'url',
        'has its password masked (***) but names another host, port or user than the stored URL: send the password itself, which is kept only for the same broker',
      );
    }
    patch.url = restored;
  }
  if (patch.transform !== undefined) patch.transform = transformOf(patch.transform);
  if (signatureInput !== undefined) patch.signature = normalizeSignature(signatureInput);
  if (secret !== undefined) patch.secrets = [{ value: secret, expiresAt: null } satisfies EndpointSecret];

  const merged: Endpoint = { ...current, ...patch };
  const currentSecret = current.secrets[0]?.value;
  if (secret === undefined && patch.signature && currentSecret !== undefined) {
    try {
      checkSecret(currentSecret, patch.signature.scheme);
    } catch {
      fail(
        'secret',
        `the current secret does not suit scheme '${patch.signature.scheme}'; send a new "secret" with the signature change`,
      );
    }
  }
  const unverified = merged.requireVerification && merged.verifiedAt === null;
  let status = requested ?? current.status;
  if (requested === 'active' && unverified) {
    fail('status', "cannot be 'active' before the endpoint's ownership is verified: POST …/verify first");
  }
  if (requested === undefined) {
    if (current.status === 'active' && unverified) status = 'pending_verification';
    if (current.status === 'pending_verification' && !unverified) status = 'active';
  }
  if (status !== current.status) patch.status = status;
  if (current.status === 'disabled' && status !== 'disabled') patch.disabledReason = null;
  merged.status = status;
  checkEndpoint(merged, rules);
  return patch;
}
