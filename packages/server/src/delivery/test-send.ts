/**
 * Test sends ("Test connection", mock events): one synchronous request to an
 * endpoint, saved or not, built and signed exactly like real traffic and sent
 * through the same HTTP client, so the network policy and the signature a
 * receiver checks are the real ones. The result is recorded as an attempt
 * with trigger `test`, which the log shows and summaries never count.
 */
import { renderBody } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import type { Attempt, AttemptError, Endpoint } from '../domain/types.ts';
import type { OutboundResult } from './http-client.ts';
import { buildOutboundRequest, redactHeaders } from './outbound-request.ts';
import { attemptErrorOf, type Sender } from './send-attempt.ts';

export interface TestSendDeps {
  sender: Sender;
  clock: () => number;
  userAgent: string;
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
  message: { body: string; contentType: string; eventType: string; webhookId: string },
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
): Promise<TestSendResult> {
  const now = deps.clock();
  const webhookId = newId('msg', now);
  const { body, contentType } = renderBody(
    {
      id: webhookId,
      type: test.eventType,
      version: test.version,
      resource: test.resource ?? null,
      payload: JSON.stringify(test.payload ?? null),
      createdAt: now,
    },
    endpoint.envelope,
    endpoint.format,
  );
  const { result, attempt } = await sendOnce(deps, endpoint, {
    body,
    contentType,
    eventType: test.eventType,
    webhookId,
  });
  return {
    status: result.status,
    latencyMs: result.durationMs,
    responseBody: result.body,
    responseHeaders: result.headers,
    error: attempt.error,
    requestId: attempt.requestId,
    attempt,
  };
}
