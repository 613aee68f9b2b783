import { type EnvelopeSource, envelopeValue, renderBatchBody } from '../domain/envelope.ts';
import type { Endpoint } from '../domain/types.ts';
import type { ClaimedBatch, CompletedBatch } from '../store/port.ts';
import { sendTransformed } from './attempt-runner.ts';
import type { AttemptRunnerDeps } from './send-attempt.ts';
import { transformKey } from './transform-step.ts';

/**
 * Sends one attempt of one claimed batch: a single signed request whose body
 * is every event of the batch (a JSON array of envelopes, or `<webhooks>` in
 * XML) and whose `webhook-id` is the batch id, the same on every retry. One
 * verdict applies to the whole batch; a transform sees the whole batch, its
 * `payload` being the array. Never throws, like runAttempt.
 */
export async function runBatch(
  deps: AttemptRunnerDeps,
  owner: string,
  batch: ClaimedBatch,
  endpoint: Endpoint,
): Promise<CompletedBatch> {
  const sources: EnvelopeSource[] = batch.deliveries.map((d) => ({
    id: d.eventId,
    type: d.eventType,
    version: d.eventVersion,
    resource: d.resource,
    payload: d.payload,
    createdAt: d.eventCreatedAt,
  }));
  const { body, contentType } = renderBatchBody(sources, endpoint.envelope, endpoint.format);
  const first = batch.deliveries[0];
  const types = new Set(batch.deliveries.map((d) => d.eventType));
  // One type when the batch is uniform, so filtering the log by type still finds it.
  const eventType = types.size === 1 && first ? first.eventType : 'batch';
  const subject = {
    tenantId: batch.tenantId,
    endpointId: batch.endpointId,
    // The log links a batch attempt to its batch and events (eventIds), not to one delivery.
    deliveryId: null,
    eventId: first?.eventId ?? null,
    eventType,
    resource: new Set(batch.deliveries.map((d) => d.resource)).size === 1 ? (first?.resource ?? null) : null,
    attemptNumber: batch.attemptNumber,
    trigger: batch.deliveries.some((d) => d.trigger === 'manual')
      ? ('manual' as const)
      : ('scheduled' as const),
    webhookId: batch.id,
    body,
    contentType,
  };
  const report = await sendTransformed(deps, endpoint, subject, () => ({
    eventType,
    eventId: batch.id,
    payload: sources.map((s) => envelopeValue(s, endpoint.envelope)),
    batch: true,
    cacheKey: transformKey(endpoint),
  }));
  return { batchId: batch.id, owner, eventIds: batch.deliveries.map((d) => d.eventId), ...report };
}
