/**
 * Test sends ("Test connection", mock events): one synchronous request to an
 * endpoint, saved or not, built and signed exactly like real traffic and sent
 * through the same HTTP client, so the network policy and the signature a
 * receiver checks are the real ones. The result is recorded as an attempt
 * with trigger `test`, which the log shows and summaries never count.
 */
import { type EnvelopeSource, envelopeValue, renderBody } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import type { Attempt, AttemptError, Endpoint } from '../domain/types.ts';
import type { OutboundResult } from './http-client.ts';
import { buildOutboundRequest, redactHeaders } from './outbound-request.ts';
import { attemptErrorOf, type NotSentReason, notSentRecord, type Sender } from './send-attempt.ts';
import { applyTransform, type TransformDeps } from './transform-step.ts';

export interface TestSendDeps {
  sender: Sender;
  clock: () => number;
  userAgent: string;
  /** Runs the endpoint's transform, as delivery does; without it an endpoint with a transform fails its tests. */
  transform?: TransformDeps;
}

/** The request a test sent, as the log shows it (credential headers masked). */
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What to send: the event type and version shown in the envelope, and the data itself. */
export interface TestMessage {
  eventType: string;
  version: number;
  /** The event's data (any JSON value). */
  payload: unknown;
  resource?: string | null;
}

export interface TestSendResult {
  status: number | null;
  latencyMs: number;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  error: AttemptError | null;
  requestId: string;
  /** What was sent, after the endpoint's transform; null when the transform failed or cancelled it. */
  request: SentRequest | null;
  attempt: Attempt;
}

/** The event type used when the request names none and the catalog has nothing better. */
export const GENERIC_TEST_EVENT_TYPE = 'herald.test';
export const GENERIC_TEST_PAYLOAD = { test: true } as const;

/** Why a response that arrived still counts as a failure; null for 2xx. */

/**
 * Sends `body` (already rendered) to `endpoint` as one signed request and
 * returns the attempt record. Shared by test sends and the ownership challenge.
 */
export async function sendOnce(
  deps: TestSendDeps,
  endpoint: Endpoint,
  message: {
    body: string;
    contentType: string;
    eventType: string;
    webhookId: string;
    resource?: string | null;
  },
): Promise<{ result: OutboundResult; attempt: Attempt }> {
  const startedAt = deps.clock();
  const requestId = newId('req', startedAt);
  const { request, displayUrl } = buildOutboundRequest(
    endpoint,
    {
      webhookId: message.webhookId,
      body: message.body,
      contentType: message.contentType,
      requestId,
      timestampSec: Math.floor(startedAt / 1000),
      template: { type: message.eventType, tenantId: endpoint.tenantId, resource: message.resource ?? null },
    },
    deps.userAgent,
  );
  const result = await deps.sender.send(request);
  const error = attemptErrorOf(result);
  const attempt: Attempt = {
    id: newId('att', startedAt),
    requestId,
    tenantId: endpoint.tenantId,
    deliveryId: null,
    eventId: null,
    endpointId: endpoint.id,
    eventType: message.eventType,
    attemptNumber: 1,
    trigger: 'test',
    url: displayUrl,
    method: request.method,
    requestHeaders: redactHeaders(request.headers, endpoint),
    requestBody: message.body,
    responseStatus: result.status,
    responseHeaders: result.headers,
    responseBody: result.body,
    durationMs: result.durationMs,
    error,
    succeeded: error === null,
    createdAt: startedAt,
  };
  return { result, attempt };
}

/**
 * One test event, rendered with the endpoint's envelope and format. Its
 * `webhook-id` (and envelope id) is a fresh `msg_…`: it is no stored event,
 * and a receiver that dedupes on the id must not drop a later real one.
 */
export async function sendTestMessage(
  deps: TestSendDeps,
  endpoint: Endpoint,
  test: TestMessage,
  /** The compiled-transform key of a saved endpoint (transform-step.ts); null for an unsaved one. */
  cacheKey: string | null = null,
): Promise<TestSendResult> {
  const now = deps.clock();
  const webhookId = newId('msg', now);
  const source: EnvelopeSource = {
    id: webhookId,
    type: test.eventType,
    version: test.version,
    resource: test.resource ?? null,
    payload: JSON.stringify(test.payload ?? null),
    createdAt: now,
  };
  let message = {
    ...renderBody(source, endpoint.envelope, endpoint.format),
    eventType: test.eventType,
    webhookId,
    resource: test.resource ?? null,
  };
  let target = endpoint;
  if (endpoint.transform !== null) {
    const transformed = deps.transform
      ? applyTransform(
          deps.transform,
          { ...endpoint, transform: endpoint.transform },
          {
            eventType: test.eventType,
            eventId: webhookId,
            payload: envelopeValue(source, endpoint.envelope),
            batch: false,
            cacheKey,
          },
        )
      : ({ kind: 'failed', message: 'transforms are not available in this process', durationUs: 0 } as const);
    if (transformed.kind !== 'send') return notSent(endpoint, message, transformed, now);
    target = transformed.endpoint;
    message = { ...message, body: transformed.body, contentType: transformed.contentType };
  }
  const { result, attempt } = await sendOnce(deps, target, message);
  return {
    status: result.status,
    latencyMs: result.durationMs,
    responseBody: result.body,
    responseHeaders: result.headers,
    error: attempt.error,
    requestId: attempt.requestId,
    request: {
      method: attempt.method,
      url: attempt.url,
      headers: attempt.requestHeaders,
      body: attempt.requestBody,
    },
    attempt,
  };
}

/** A test the transform failed or cancelled: nothing sent, recorded as a delivery's attempt would be. */
function notSent(
  endpoint: Endpoint,
  message: { body: string; eventType: string },
  why: NotSentReason & { durationUs: number },
  now: number,
): TestSendResult {
  const subject = {
    tenantId: endpoint.tenantId,
    endpointId: endpoint.id,
    deliveryId: null,
    eventId: null,
    eventType: message.eventType,
    attemptNumber: 1,
    trigger: 'test' as const,
    body: message.body,
  };
  const attempt = notSentRecord(endpoint, subject, why, why.durationUs, now);
  return {
    status: null,
    latencyMs: attempt.durationMs,
    responseBody: null,
    responseHeaders: null,
    error: attempt.error,
    requestId: attempt.requestId,
    request: null,
    attempt,
  };
}
