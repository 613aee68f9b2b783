import type { Clock } from '../domain/clock.ts';
import { effectiveMaxInFlight } from '../domain/fair-share.ts';
import { newId } from '../domain/ids.ts';
import { redactUrl } from '../domain/redact.ts';
import { judgeAttempt } from '../domain/retry.ts';
import type { Attempt, AttemptError, AttemptTrigger, Endpoint } from '../domain/types.ts';
import type { DeliveryOutcome } from '../store/port.ts';
import type { OutboundRequest, OutboundResult } from './http-client.ts';
import { buildOutboundRequest, redactHeaders } from './outbound-request.ts';
import type { TransformDeps } from './transform-step.ts';

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
  /** Runs endpoints' transforms; an endpoint with a transform fails its attempts without it. */
  transform?: TransformDeps;
}

/** What one request is for: a delivery, or a batch of them. */
export interface AttemptSubject {
  tenantId: string;
  endpointId: string;
  deliveryId: string | null;
  eventId: string | null;
  eventType: string;
  /** The event's resource (a batch's, when all its events share one): for broker name templates. */
  resource: string | null;
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
      template: { type: subject.eventType, tenantId: subject.tenantId, resource: subject.resource },
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
    ...(result.verdict ? { verdict: result.verdict } : {}),
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
    ...subjectFields(subject),
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

/** What an attempt record takes from its subject. */
function subjectFields(subject: Omit<AttemptSubject, 'webhookId' | 'contentType' | 'body' | 'resource'>) {
  const { tenantId, deliveryId, eventId, endpointId, eventType, attemptNumber, trigger } = subject;
  return { tenantId, deliveryId, eventId, endpointId, eventType, attemptNumber, trigger };
}

/** Why a transform kept a request from being sent. */
export type NotSentReason = { kind: 'failed'; message: string } | { kind: 'cancelled' };

/** The attempt's error when a transform kept its request from being sent. */
export function notSentError(why: NotSentReason): AttemptError {
  return why.kind === 'failed'
    ? { kind: 'transform', message: why.message }
    : {
        kind: 'cancelled',
        message:
          'the transform cancelled this delivery (cancel: true): nothing was sent, and it is not retried',
      };
}

/** The log record of a request never sent; it shows the untransformed body. */
export function notSentRecord(
  endpoint: Endpoint,
  subject: Omit<AttemptSubject, 'webhookId' | 'contentType' | 'resource'>,
  why: NotSentReason,
  durationUs: number,
  now: number,
): Attempt {
  return {
    id: newId('att', now),
    requestId: newId('req', now),
    ...subjectFields(subject),
    url: redactUrl(endpoint.url),
    method: endpoint.method,
    requestHeaders: {},
    requestBody: subject.body,
    responseStatus: null,
    responseHeaders: null,
    responseBody: null,
    durationMs: Math.round(durationUs / 1000),
    error: notSentError(why),
    succeeded: false,
    createdAt: now,
  };
}

/**
 * An attempt whose request was never sent because the endpoint's transform
 * failed (retried on the endpoint's schedule, like any failed attempt) or
 * cancelled the delivery (not retried).
 */
export function notSentAttempt(
  deps: AttemptRunnerDeps,
  endpoint: Endpoint,
  subject: AttemptSubject,
  why: NotSentReason,
  durationUs: number,
): AttemptReport {
  const now = deps.clock.now();
  let outcome: DeliveryOutcome = { status: 'cancelled' };
  if (why.kind === 'failed') {
    const verdict = judgeAttempt({
      attemptNumber: subject.attemptNumber,
      policy: endpoint.retry,
      statusCode: null,
      retryAfter: null,
      now,
      random: deps.random,
    });
    outcome =
      verdict.kind === 'retry'
        ? { status: 'pending', nextAttemptAt: now + verdict.delayMs }
        : { status: 'failed' };
  }
  return { attempt: notSentRecord(endpoint, subject, why, durationUs, now), outcome };
}

/** The attempt's error: the transport's, or the non-2xx status the endpoint answered. */
export function attemptErrorOf(result: OutboundResult): AttemptError | null {
  if (result.error) return result.error;
  if (result.status !== null && (result.status < 200 || result.status > 299)) {
    return { kind: 'http_status', message: `the endpoint answered ${result.status}` };
  }
  return null;
}
