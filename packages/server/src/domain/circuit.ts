/**
 * Flow control as pure decisions: the token bucket of a rate-limited
 * endpoint, its circuit breaker, and how a claim may use an endpoint right
 * now. The stores keep the state (one `endpoint_flow` row per endpoint) and
 * call these inside their claim and completion transactions, so every worker
 * process decides from the same committed state.
 */
import type { RateLimitPolicy } from './types.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface FlowPolicy {
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** First open period; doubles on every re-open without a success in between. */
  cooldownMs: number;
  maxCooldownMs: number;
  /** An endpoint failing without a single success for this long is disabled. */
  disableAfterMs: number;
  /** A delivery's failed attempt number that emits `delivery.failing`. */
  failingAfterAttempts: number;
}

export const DEFAULT_FLOW_POLICY: FlowPolicy = Object.freeze({
  failureThreshold: 5,
  cooldownMs: 30_000,
  maxCooldownMs: 10 * 60_000,
  disableAfterMs: 5 * 24 * 3600_000,
  failingAfterAttempts: 3,
});

/** One endpoint's flow state as stored. A missing row is INITIAL_FLOW_STATE. */
export interface FlowState {
  /** null until the bucket is first used: it starts full. */
  tokens: number | null;
  refilledAt: number | null;
  circuit: CircuitState;
  /** Consecutive failed attempts since the last success. */
  failures: number;
  /** Opens since the last success (drives the doubling cooldown). */
  opens: number;
  openedAt: number | null;
  openUntil: number | null;
  /** First failure after the last success. */
  failingSince: number | null;
}

export const INITIAL_FLOW_STATE: FlowState = Object.freeze({
  tokens: null,
  refilledAt: null,
  circuit: 'closed',
  failures: 0,
  opens: 0,
  openedAt: null,
  openUntil: null,
  failingSince: null,
});

export type OperationalEventType =
  | 'endpoint.disabled'
  | 'endpoint.circuit_opened'
  | 'endpoint.recovered'
  | 'delivery.exhausted'
  | 'delivery.failing';

/** Something a completion caused that operators hear about (see ops/operational-events.ts). */
export interface FlowTransition {
  type: OperationalEventType;
  tenantId: string;
  endpointId: string;
  reason: string;
  at: number;
  deliveryId?: string;
  eventId?: string;
  eventType?: string;
  attempts?: number;
}

export function burstOf(rate: RateLimitPolicy): number {
  return rate.burst ?? Math.max(1, rate.perSecond);
}

/** Tokens available at `now`: the stored count plus what accrued since, capped at the burst. */
export function refill(state: Pick<FlowState, 'tokens' | 'refilledAt'>, rate: RateLimitPolicy, now: number) {
  const burst = burstOf(rate);
  if (state.tokens === null || state.refilledAt === null) return burst;
  const accrued = (Math.max(0, now - state.refilledAt) * rate.perSecond) / 1000;
  return Math.min(burst, state.tokens + accrued);
}

export function cooldownFor(policy: FlowPolicy, opens: number): number {
  return Math.min(policy.maxCooldownMs, policy.cooldownMs * 2 ** Math.max(0, opens - 1));
}

/** How one claim may use one endpoint. */
export interface ClaimPlan {
  /** Deliveries this claim may lease for the endpoint (before maxInFlight). */
  slots: number;
  /** Tokens left after a refill (null: not rate limited). */
  tokens: number | null;
  /** The circuit lets exactly one probe through: leasing one makes it half_open. */
  probe: boolean;
  /**
   * When the `excess`-th (0-based) delivery this claim could not take becomes
   * worth trying again; null: try at the next claim. Moving it keeps a held
   * back backlog out of the due scan, so it neither spins the workers nor
   * crowds out other endpoints.
   */
  retryAt(excess: number, taken: number): number | null;
}

/** How long deliveries held back behind a half-open probe wait before looking again. */
const PROBE_WAIT_MS = 1000;

export function planClaim(input: {
  rateLimit: RateLimitPolicy | null;
  flow: FlowState;
  inFlight: number;
  now: number;
}): ClaimPlan {
  const { rateLimit, flow, inFlight, now } = input;
  if (flow.circuit === 'open' && flow.openUntil !== null && now < flow.openUntil) {
    const until = flow.openUntil;
    return { slots: 0, tokens: null, probe: false, retryAt: () => until };
  }
  if (flow.circuit !== 'closed') {
    // Cooldown over: one probe at a time decides whether the circuit closes.
    if (inFlight > 0) return { slots: 0, tokens: null, probe: false, retryAt: () => now + PROBE_WAIT_MS };
    return { slots: 1, tokens: null, probe: true, retryAt: () => now + PROBE_WAIT_MS };
  }
  if (rateLimit === null)
    return { slots: Number.POSITIVE_INFINITY, tokens: null, probe: false, retryAt: () => null };
  const tokens = refill(flow, rateLimit, now);
  const perToken = 1000 / rateLimit.perSecond;
  return {
    slots: Math.floor(tokens + 1e-9),
    tokens,
    probe: false,
    // The n-th held-back delivery waits for the n-th token after those taken now.
    retryAt: (excess, taken) => now + Math.max(1, Math.ceil((excess + 1 - (tokens - taken)) * perToken)),
  };
}

/** Applied in the completion transaction for each attempt of a delivery, in order. */
export interface AttemptVerdict {
  succeeded: boolean;
  at: number;
}

export interface CircuitStep {
  state: FlowState;
  opened: boolean;
  recovered: boolean;
  /** Failing continuously for `disableAfterMs`: the endpoint should be disabled. */
  exhausted: boolean;
}

export function stepCircuit(state: FlowState, verdict: AttemptVerdict, policy: FlowPolicy): CircuitStep {
  if (verdict.succeeded) {
    const recovered = state.circuit !== 'closed' || state.opens > 0;
    return {
      state: {
        ...state,
        circuit: 'closed',
        failures: 0,
        opens: 0,
        openedAt: null,
        openUntil: null,
        failingSince: null,
      },
      opened: false,
      recovered,
      exhausted: false,
    };
  }
  const failures = state.failures + 1;
  const failingSince = state.failingSince ?? verdict.at;
  let next: FlowState = { ...state, failures, failingSince };
  let opened = false;
  // A failed probe re-opens at once; a closed circuit opens at the threshold.
  // Stragglers failing while it is open change nothing but the count.
  if (state.circuit === 'half_open' || (state.circuit === 'closed' && failures >= policy.failureThreshold)) {
    const opens = state.opens + 1;
    next = {
      ...next,
      circuit: 'open',
      opens,
      openedAt: verdict.at,
      openUntil: verdict.at + cooldownFor(policy, opens),
    };
    opened = true;
  }
  return {
    state: next,
    opened,
    recovered: false,
    exhausted: verdict.at - failingSince >= policy.disableAfterMs,
  };
}

export function disableReason(state: FlowState, at: number): string {
  const since = new Date(state.failingSince ?? at).toISOString();
  return `every attempt has failed since ${since} (${state.failures} in a row); fix the endpoint, then set its status to active`;
}

/** One completed attempt as the completion transaction saw it. */
export interface CompletionFact {
  tenantId: string;
  endpointId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attemptNumber: number;
  succeeded: boolean;
  /**
   * Nothing reached the endpoint (its transform failed or cancelled the delivery):
   * the attempt says nothing of the endpoint's health, so the circuit ignores it.
   */
  notSent: boolean;
  /** The delivery's new state was written (this worker still held the lease). */
  applied: boolean;
  outcome: 'succeeded' | 'pending' | 'failed' | 'cancelled';
  /** Set when the response itself disables the endpoint (410 Gone). */
  goneReason: string | null;
}

export interface CompletionPlan {
  /** New flow state per endpoint touched. */
  states: Map<string, FlowState>;
  /** Endpoints to disable now, with the reason shown to users. */
  disables: Map<string, string>;
  transitions: FlowTransition[];
}

/**
 * Folds a batch of completed attempts into the endpoints' flow state, in
 * order, and says what follows: circuits opening or closing, endpoints to
 * disable, deliveries exhausted or failing. `endpointStatus` is read under
 * the same lock the new state is written with.
 */
export function planCompletion(
  facts: readonly CompletionFact[],
  current: ReadonlyMap<string, FlowState>,
  endpointStatus: ReadonlyMap<string, string>,
  policy: FlowPolicy,
  now: number,
): CompletionPlan {
  const states = new Map<string, FlowState>();
  const disables = new Map<string, string>();
  const transitions: FlowTransition[] = [];
  const base = (f: CompletionFact) => ({ tenantId: f.tenantId, endpointId: f.endpointId, at: now });
  for (const f of facts) {
    let state = states.get(f.endpointId) ?? current.get(f.endpointId) ?? { ...INITIAL_FLOW_STATE };
    const status = endpointStatus.get(f.endpointId);
    if (status === undefined) continue; // deleted meanwhile
    const step: CircuitStep = f.notSent
      ? { state, opened: false, recovered: false, exhausted: false }
      : stepCircuit(state, { succeeded: f.succeeded, at: now }, policy);
    state = step.state;
    if (step.opened) {
      const seconds = Math.round(((state.openUntil ?? now) - now) / 1000);
      transitions.push({
        ...base(f),
        type: 'endpoint.circuit_opened',
        reason: `${state.failures} attempts in a row failed; new deliveries wait ${seconds} s before one probe`,
      });
    }
    if (step.recovered) {
      transitions.push({
        ...base(f),
        type: 'endpoint.recovered',
        reason: 'an attempt succeeded; the circuit is closed',
      });
    }
    const alreadyDisabled = status === 'disabled' || disables.has(f.endpointId);
    const reason = f.goneReason ?? (step.exhausted ? disableReason(state, now) : null);
    if (reason !== null && !alreadyDisabled) {
      disables.set(f.endpointId, reason);
      transitions.push({ ...base(f), type: 'endpoint.disabled', reason });
      // A re-enabled endpoint starts its disableAfter clock afresh.
      state = { ...state, failures: 0, failingSince: null };
    }
    if (f.applied && f.outcome === 'failed') {
      transitions.push({
        ...base(f),
        type: 'delivery.exhausted',
        reason: `all ${f.attemptNumber} attempts failed; retry it manually once the endpoint works`,
        deliveryId: f.deliveryId,
        eventId: f.eventId,
        eventType: f.eventType,
        attempts: f.attemptNumber,
      });
    } else if (f.applied && f.outcome === 'pending' && f.attemptNumber === policy.failingAfterAttempts) {
      transitions.push({
        ...base(f),
        type: 'delivery.failing',
        reason: `${f.attemptNumber} attempts failed; Herald keeps retrying`,
        deliveryId: f.deliveryId,
        eventId: f.eventId,
        eventType: f.eventType,
        attempts: f.attemptNumber,
      });
    }
    states.set(f.endpointId, state);
  }
  // Only states that changed are written back: a healthy endpoint's successes change nothing.
  for (const [id, state] of states) {
    if (sameFlowState(state, current.get(id) ?? INITIAL_FLOW_STATE)) states.delete(id);
  }
  return { states, disables, transitions };
}

function sameFlowState(a: FlowState, b: FlowState): boolean {
  return (Object.keys(a) as (keyof FlowState)[]).every((k) => a[k] === b[k]);
}

/** The facts of a completion, from what the worker reported. */
export function completionFact(
  r: {
    deliveryId: string;
    attempt: { tenantId: string; endpointId: string | null; eventId: string | null; eventType: string };
    outcome: { status: 'succeeded' | 'pending' | 'failed' | 'cancelled' };
    disableEndpoint?: { reason: string };
  } & { attempt: { attemptNumber: number; succeeded: boolean; error: { kind: string } | null } },
  applied: boolean,
): CompletionFact | null {
  if (r.attempt.endpointId === null) return null;
  return {
    tenantId: r.attempt.tenantId,
    endpointId: r.attempt.endpointId,
    deliveryId: r.deliveryId,
    eventId: r.attempt.eventId ?? '',
    eventType: r.attempt.eventType,
    attemptNumber: r.attempt.attemptNumber,
    succeeded: r.attempt.succeeded,
    notSent: isNotSent(r.attempt.error),
    applied,
    outcome: r.outcome.status,
    goneReason: r.disableEndpoint?.reason ?? null,
  };
}

/** An attempt that never reached the endpoint: its transform failed, or cancelled the delivery. */
export function isNotSent(error: { kind: string } | null): boolean {
  return error !== null && (error.kind === 'transform' || error.kind === 'cancelled');
}
