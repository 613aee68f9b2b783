/**
 * Flow control for batching endpoints, shared by both stores: a batch request
 * is one attempt for its endpoint's circuit and one token of its rate limit,
 * so the decisions are those of domain/circuit.ts, fed one batch at a time.
 */
import { type ClaimPlan, type CompletionFact, isNotSent } from '../domain/circuit.ts';
import type { CompletedBatch } from './port.ts';

/**
 * The fact one batch attempt adds to its endpoint's flow. `applied` stays
 * false: a batch is not a delivery, so it raises no delivery.failing or
 * delivery.exhausted transition; it moves the circuit and may disable the endpoint.
 */
export function batchFact(r: CompletedBatch): CompletionFact | null {
  if (r.attempt.endpointId === null) return null;
  return {
    tenantId: r.attempt.tenantId,
    endpointId: r.attempt.endpointId,
    deliveryId: r.batchId,
    eventId: r.attempt.eventId ?? '',
    eventType: r.attempt.eventType,
    attemptNumber: r.attempt.attemptNumber,
    succeeded: r.attempt.succeeded,
    notSent: isNotSent(r.attempt.error),
    applied: false,
    outcome: r.outcome.status,
    goneReason: r.disableEndpoint?.reason ?? null,
  };
}

/**
 * How many batch requests an endpoint may start in this claim: its free
 * in-flight room, capped by what the circuit and rate limit allow, and by one
 * at a time (none while another is in flight) when it is ordered.
 */
export function batchSlots(plan: ClaimPlan, room: number, inFlight: number, ordered: boolean): number {
  let slots = Math.min(room, plan.slots);
  if (ordered) slots = Math.min(slots, inFlight > 0 ? 0 : 1);
  return Math.max(0, slots);
}
