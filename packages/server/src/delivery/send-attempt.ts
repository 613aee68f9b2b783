import type { Clock } from '../domain/clock.ts';
import { effectiveMaxInFlight } from '../domain/fair-share.ts';
import { newId } from '../domain/ids.ts';
import { judgeAttempt } from '../domain/retry.ts';
import type { Attempt, AttemptError, AttemptTrigger, Endpoint } from '../domain/types.ts';
import type { DeliveryOutcome } from '../store/port.ts';
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
  /**
   * The worker's slots: its share per endpoint (domain/fair-share.ts) sizes
   * the endpoint's connection pool. Absent, the pool has `maxInFlight` connections.
   */
  workerConcurrency?: number;
}

/** What one request is for: a delivery, or a batch of them. */
export interface AttemptSubject {
  tenantId: string;
  endpointId: string;
  deliveryId: string | null;
  eventId: string | null;
  eventType: string;
  attemptNumber: number;
  trigger: AttemptTrigger;
  /** Sent as `webhook-id`: the event id, or the batch id. */
  webhookId: string;
  body: string;
  contentType: string;
}

export interface AttemptReport {
  attempt: Attempt;
  outcome: DeliveryOutcome;
  disableEndpoint?: { reason: string };
}

/**
 * Sends one signed request and decides what happens next, for single
 * deliveries and batches alike. Never throws: a failed request is an attempt
 * record with an error, and the verdict (retry, exhausted, endpoint gone) is
 * data for the store.
 */
export async function sendAttempt(
  deps: AttemptRunnerDeps,
  endpoint: Endpoint,
  subject: AttemptSubject,
): Promise<AttemptReport> {
  const startedAt = deps.clock.now();
  const requestId = newId('req', startedAt);
  const { request, displayUrl } = buildOutboundRequest(
    endpoint,
    {
      webhookId: subject.webhookId,
      body: subject.body,
      contentType: subject.contentType,
      requestId,
      timestampSec: Math.floor(startedAt / 1000),
    },
    deps.userAgent,
  );
  // The endpoint's own connections, as many as it may have requests in flight here: its
  // requests never queue behind another endpoint's, and never behind their own.
  const connections =
    deps.workerConcurrency === undefined
      ? endpoint.maxInFlight
      : effectiveMaxInFlight(endpoint, deps.workerConcurrency);
  const result = await deps.sender.send({ ...request, pool: { key: endpoint.id, connections } });
  const finishedAt = deps.clock.now();

  const verdict = judgeAttempt({
    attemptNumber: subject.attemptNumber,
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
    tenantId: subject.tenantId,
    deliveryId: subject.deliveryId,
    eventId: subject.eventId,
    endpointId: subject.endpointId,
    eventType: subject.eventType,
    attemptNumber: subject.attemptNumber,
    trigger: subject.trigger,
    url: displayUrl,
    method: request.method,
    requestHeaders: redactHeaders(request.headers, endpoint),
    requestBody: subject.body,
    responseStatus: result.status,
    responseHeaders: result.headers,
    responseBody: result.body,
    durationMs: result.durationMs,
    error: attemptErrorOf(result),
    succeeded: verdict.kind === 'succeeded',
    createdAt: startedAt,
  };
  const report: AttemptReport = { attempt, outcome };
  if (verdict.kind === 'gone') {
    report.disableEndpoint = {
      reason: `the endpoint answered 410 Gone on ${new Date(finishedAt).toISOString()}`,
    };
  }
  return report;
}

/** The attempt's error: the transport's, or the non-2xx status the endpoint answered. */
export function attemptErrorOf(result: OutboundResult): AttemptError | null {
  if (result.error) return result.error;
  if (result.status !== null && (result.status < 200 || result.status > 299)) {
    return { kind: 'http_status', message: `the endpoint answered ${result.status}` };
  }
  return null;
}
