import type { Clock } from '../domain/clock.ts';
import { renderBody } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import { judgeAttempt } from '../domain/retry.ts';
import type { Attempt, AttemptError, Endpoint } from '../domain/types.ts';
import type { ClaimedDelivery, CompletedAttempt, DeliveryOutcome } from '../store/port.ts';
import type { OutboundRequest, OutboundResult } from './http-client.ts';
import { buildOutboundRequest, redactHeaders } from './outbound-request.ts';

export interface Sender {
  send(req: OutboundRequest): Promise<OutboundResult>;
}

export interface AttemptRunnerDeps {
  sender: Sender;
  clock: Clock;
  random: () => number;
  userAgent: string;
}

/**
 * Sends one attempt of one claimed delivery and decides what happens next.
 * Never throws: a failed request is an attempt record with an error, and the
 * verdict (retry, exhausted, endpoint gone) is data for the store.
 */
export async function runAttempt(
  deps: AttemptRunnerDeps,
  owner: string,
  claimed: ClaimedDelivery,
  endpoint: Endpoint,
): Promise<CompletedAttempt> {
  const startedAt = deps.clock.now();
  const { body, contentType } = renderBody(
    {
      id: claimed.eventId,
      type: claimed.eventType,
      version: claimed.eventVersion,
      resource: claimed.resource,
      payload: claimed.payload,
      createdAt: claimed.eventCreatedAt,
    },
    endpoint.envelope,
    endpoint.format,
  );
  const requestId = newId('req', startedAt);
  const { request, displayUrl } = buildOutboundRequest(
    endpoint,
    { webhookId: claimed.eventId, body, contentType, requestId, timestampSec: Math.floor(startedAt / 1000) },
    deps.userAgent,
  );
  const result = await deps.sender.send(request);
  const finishedAt = deps.clock.now();

  const verdict = judgeAttempt({
    attemptNumber: claimed.attemptNumber,
    policy: endpoint.retry,
    statusCode: result.status,
    retryAfter: result.headers?.['retry-after'] ?? null,
    now: finishedAt,
    random: deps.random,
  });
  let outcome: DeliveryOutcome;
  switch (verdict.kind) {
    case 'succeeded':
      outcome = { status: 'succeeded' };
      break;
    case 'retry':
      outcome = { status: 'pending', nextAttemptAt: finishedAt + verdict.delayMs };
      break;
    default:
      outcome = { status: 'failed' };
  }

  const attempt: Attempt = {
    id: newId('att', startedAt),
    requestId,
    tenantId: claimed.tenantId,
    deliveryId: claimed.id,
    eventId: claimed.eventId,
    endpointId: claimed.endpointId,
    eventType: claimed.eventType,
    attemptNumber: claimed.attemptNumber,
    trigger: claimed.trigger,
    url: displayUrl,
    method: request.method,
    requestHeaders: redactHeaders(request.headers, endpoint),
    requestBody: body,
    responseStatus: result.status,
    responseHeaders: result.headers,
    responseBody: result.body,
    durationMs: result.durationMs,
    error: attemptError(result),
    succeeded: verdict.kind === 'succeeded',
    createdAt: startedAt,
  };
  const completed: CompletedAttempt = { deliveryId: claimed.id, owner, attempt, outcome };
  if (verdict.kind === 'gone') {
    completed.disableEndpoint = {
      reason: `the endpoint answered 410 Gone on ${new Date(finishedAt).toISOString()}`,
    };
  }
  return completed;
}

function attemptError(result: OutboundResult): AttemptError | null {
  if (result.error) return result.error;
  if (result.status !== null && (result.status < 200 || result.status > 299)) {
    return { kind: 'http_status', message: `the endpoint answered ${result.status}` };
  }
  return null;
}
