import { renderBatchBody } from '../domain/envelope.ts';
import { newId } from '../domain/ids.ts';
import { judgeAttempt } from '../domain/retry.ts';
import type { Attempt, AttemptError, Endpoint } from '../domain/types.ts';
import type { ClaimedBatch, CompletedBatch, DeliveryOutcome } from '../store/port.ts';
import type { AttemptRunnerDeps } from './attempt-runner.ts';
import type { OutboundResult } from './http-client.ts';
import { buildOutboundRequest, redactHeaders } from './outbound-request.ts';

/**
 * Sends one attempt of one claimed batch: a single signed request whose body
 * is every event of the batch (a JSON array of envelopes, or `<webhooks>` in
 * XML) and whose `webhook-id` is the batch id, the same on every retry. One
 * verdict applies to the whole batch. Never throws, like runAttempt.
 */
export async function runBatch(
  deps: AttemptRunnerDeps,
  owner: string,
  batch: ClaimedBatch,
  endpoint: Endpoint,
): Promise<CompletedBatch> {
  const startedAt = deps.clock.now();
  const { body, contentType } = renderBatchBody(
    batch.deliveries.map((d) => ({
      id: d.eventId,
      type: d.eventType,
      version: d.eventVersion,
      resource: d.resource,
      payload: d.payload,
      createdAt: d.eventCreatedAt,
    })),
    endpoint.envelope,
    endpoint.format,
  );
  const requestId = newId('req', startedAt);
  const { request, displayUrl } = buildOutboundRequest(
    endpoint,
    { webhookId: batch.id, body, contentType, requestId, timestampSec: Math.floor(startedAt / 1000) },
    deps.userAgent,
  );
  const result = await deps.sender.send(request);
  const finishedAt = deps.clock.now();

  const verdict = judgeAttempt({
    attemptNumber: batch.attemptNumber,
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

  const eventIds = batch.deliveries.map((d) => d.eventId);
  const first = batch.deliveries[0];
  const types = new Set(batch.deliveries.map((d) => d.eventType));
  const attempt: Attempt = {
    id: newId('att', startedAt),
    requestId,
    tenantId: batch.tenantId,
    // The log links a batch attempt to its batch and events (eventIds), not to one delivery.
    deliveryId: null,
    eventId: first?.eventId ?? null,
    endpointId: batch.endpointId,
    // One type when the batch is uniform, so filtering the log by type still finds it.
    eventType: types.size === 1 && first ? first.eventType : 'batch',
    attemptNumber: batch.attemptNumber,
    trigger: batch.deliveries.some((d) => d.trigger === 'manual') ? 'manual' : 'scheduled',
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
  const completed: CompletedBatch = { batchId: batch.id, owner, attempt, eventIds, outcome };
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
