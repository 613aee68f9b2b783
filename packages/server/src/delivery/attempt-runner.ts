import { renderBody } from '../domain/envelope.ts';
import type { Endpoint } from '../domain/types.ts';
import type { ClaimedDelivery, CompletedAttempt } from '../store/port.ts';
import { type AttemptRunnerDeps, sendAttempt } from './send-attempt.ts';

export type { AttemptRunnerDeps, Sender } from './send-attempt.ts';

/** Sends one attempt of one claimed delivery (its event as the body, the event id as `webhook-id`). */
export async function runAttempt(
  deps: AttemptRunnerDeps,
  owner: string,
  claimed: ClaimedDelivery,
  endpoint: Endpoint,
): Promise<CompletedAttempt> {
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
  const report = await sendAttempt(deps, endpoint, {
    tenantId: claimed.tenantId,
    endpointId: claimed.endpointId,
    deliveryId: claimed.id,
    eventId: claimed.eventId,
    eventType: claimed.eventType,
    attemptNumber: claimed.attemptNumber,
    trigger: claimed.trigger,
    webhookId: claimed.eventId,
    body,
    contentType,
  });
  return { deliveryId: claimed.id, owner, ...report };
}
