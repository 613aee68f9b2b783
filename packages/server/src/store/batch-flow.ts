/**
 * Flow control for batching endpoints, shared by both stores: a batch request
 * is one attempt for its endpoint's circuit and one token of its rate limit,
 * so the decisions are those of domain/circuit.ts, fed one batch at a time.
 */
import {
  type ClaimPlan,
  type CompletionFact,
  type CompletionPlan,
  type FlowPolicy,
  type FlowState,
  isNotSent,
  planClaim,
  planCompletion,
} from '../domain/circuit.ts';
import type { RateLimitPolicy } from '../domain/types.ts';
import type { BatchingRow } from './batch-rows.ts';
import { fromJson } from './json.ts';
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
 * What a batch completion does to its endpoints' circuits (batches without
 * an endpoint count for none): `current` and `statuses` as read before it.
 */
export function planBatchCompletion(
  results: CompletedBatch[],
  current: ReadonlyMap<string, FlowState>,
  statuses: ReadonlyMap<string, string>,
  policy: FlowPolicy,
  now: number,
): CompletionPlan {
  const facts = results.map(batchFact).filter((f): f is CompletionFact => f !== null);
  return planCompletion(facts, current, statuses, policy, now);
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

/** One batching endpoint's turn in a claim: what flow control allows it, with `inFlight` batches out. */
export interface BatchTurn {
  plan: ClaimPlan;
  /** Batch requests it may start (before the claim's own limit). */
  allowed: number;
  /** Its free in-flight room, before flow control. */
  room: number;
}

export function batchTurn(ep: BatchingRow, flow: FlowState, inFlight: number, now: number): BatchTurn {
  const plan = planClaim({ rateLimit: fromJson<RateLimitPolicy>(ep.rate_limit), flow, inFlight, now });
  const room = ep.max_in_flight - inFlight;
  return { plan, allowed: batchSlots(plan, room, inFlight, Boolean(ep.ordered)), room };
}

/**
 * Held back by flow control (open circuit, rate limit) after taking `taken`:
 * when a batch may go again, so the endpoint's pending work is due then and
 * idle workers do not look again and again meanwhile. Null: not held back.
 */
export function heldBackUntil(turn: BatchTurn, taken: number): number | null {
  if (turn.allowed < turn.room && taken >= turn.plan.slots) return turn.plan.retryAt(0, taken);
  return null;
}
