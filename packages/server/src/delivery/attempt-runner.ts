import { type EnvelopeSource, envelopeValue, renderBody } from '../domain/envelope.ts';
import type { Endpoint } from '../domain/types.ts';
import type { ClaimedDelivery, CompletedAttempt } from '../store/port.ts';
import {
  type AttemptReport,
  type AttemptRunnerDeps,
  type AttemptSubject,
  notSentAttempt,
  sendAttempt,
} from './send-attempt.ts';
import { applyTransform, type TransformRequest, transformKey } from './transform-step.ts';

export type { AttemptRunnerDeps, Sender } from './send-attempt.ts';

/** Sends one attempt of one claimed delivery (its event as the body, the event id as `webhook-id`). */
export async function runAttempt(
  deps: AttemptRunnerDeps,
  owner: string,
  claimed: ClaimedDelivery,
  endpoint: Endpoint,
): Promise<CompletedAttempt> {
  const source: EnvelopeSource = {
    id: claimed.eventId,
    type: claimed.eventType,
    version: claimed.eventVersion,
    resource: claimed.resource,
    payload: claimed.payload,
    createdAt: claimed.eventCreatedAt,
  };
  const { body, contentType } = renderBody(source, endpoint.envelope, endpoint.format);
  const subject: AttemptSubject = {
    tenantId: claimed.tenantId,
    endpointId: claimed.endpointId,
    deliveryId: claimed.id,
    eventId: claimed.eventId,
    eventType: claimed.eventType,
    resource: claimed.resource,
    attemptNumber: claimed.attemptNumber,
    trigger: claimed.trigger,
    webhookId: claimed.eventId,
    body,
    contentType,
  };
  const report = await sendTransformed(deps, endpoint, subject, () => ({
    eventType: claimed.eventType,
    eventId: claimed.eventId,
    payload: envelopeValue(source, endpoint.envelope),
    batch: false,
    cacheKey: transformKey(endpoint),
  }));
  return { deliveryId: claimed.id, owner, ...report };
}

/**
 * Sends `subject` to `endpoint`, through its transform when it has one: the
 * transform's request is what is signed and sent; a failing or cancelling
 * transform sends nothing and is recorded as such. `subject.body` is the
 * untransformed rendering (what the log shows when nothing was sent).
 */
export async function sendTransformed(
  deps: AttemptRunnerDeps,
  endpoint: Endpoint,
  subject: AttemptSubject,
  request: () => TransformRequest,
): Promise<AttemptReport> {
  const { transform } = endpoint;
  if (transform === null) return sendAttempt(deps, endpoint, subject);
  if (!deps.transform) {
    const why = { kind: 'failed' as const, message: 'transforms are not available in this worker process' };
    return notSentAttempt(deps, endpoint, subject, why, 0);
  }
  const result = applyTransform(deps.transform, { ...endpoint, transform }, request());
  if (result.kind !== 'send') return notSentAttempt(deps, endpoint, subject, result, result.durationUs);
  return sendAttempt(deps, result.endpoint, {
    ...subject,
    body: result.body,
    contentType: result.contentType,
  });
}
