/**
 * What both adapters' claims hand out and their completions write back, as
 * pure functions over rows: the claimed delivery a worker sends, the flow
 * state a claim's turn leaves behind, and the columns an outcome sets. The
 * statements (and their locking) stay with each adapter.
 */
import type { ClaimPlan, FlowState } from '../domain/circuit.ts';
import type { Attempt, AttemptTrigger } from '../domain/types.ts';
import type { ClaimedDelivery, DeliveryOutcome } from './port.ts';

/** A leased delivery's own columns, as the claims read them. */
export interface LeasedRow {
  id: string;
  tenant_id: string;
  event_id: string;
  attempts: number;
  next_trigger: string;
}

/** The event columns a claimed delivery carries (`created_at AS event_created_at`). */
export interface ClaimEventRow {
  id: string;
  type: string;
  version: number;
  resource: string | null;
  payload: string;
  event_created_at: number;
}

/** The claimed delivery of a leased row and its event; its attempt is the one after those made. */
export const claimedDelivery = (
  d: LeasedRow,
  endpointId: string,
  e: Omit<ClaimEventRow, 'id'>,
  leaseExpiresAt: number,
): ClaimedDelivery => ({
  id: d.id,
  tenantId: d.tenant_id,
  endpointId,
  eventId: d.event_id,
  attemptNumber: d.attempts + 1,
  trigger: d.next_trigger as AttemptTrigger,
  eventType: e.type,
  eventVersion: e.version,
  resource: e.resource,
  payload: e.payload,
  eventCreatedAt: e.event_created_at,
  leaseExpiresAt,
});

/**
 * The flow state an endpoint's claim turn leaves: a probe that was sent
 * half-opens the circuit, otherwise the tokens taken are spent. Null when
 * nothing changes (nothing taken and the bucket already saved).
 */
export function turnState(plan: ClaimPlan, flow: FlowState, taken: number, now: number): FlowState | null {
  if (plan.probe && taken > 0) return { ...flow, circuit: 'half_open' };
  if (plan.tokens !== null && (taken > 0 || flow.tokens === null))
    return { ...flow, tokens: plan.tokens - taken, refilledAt: now };
  return null;
}

/** The columns a completion sets on a delivery (or a batch) from its outcome and attempt. */
export interface OutcomeColumns {
  status: DeliveryOutcome['status'];
  nextAttemptAt: number | null;
  completedAt: number | null;
  code: number | null;
  error: string | null;
}

export function outcomeColumns(outcome: DeliveryOutcome, attempt: Attempt, now: number): OutcomeColumns {
  const pending = outcome.status === 'pending';
  return {
    status: outcome.status,
    nextAttemptAt: pending ? outcome.nextAttemptAt : null,
    completedAt: pending ? null : now,
    code: attempt.responseStatus,
    error: attempt.error?.message ?? null,
  };
}
