/**
 * Honest retries. A retry (one event, a bulk retry or recovery job, "retry
 * now") says how many deliveries it queued, and for every other delivery it
 * looked at, why that one does not go out now, grouped by reason and
 * endpoint, each reason with the action that unblocks it. Without this a
 * retry behind an open circuit answers "queued" and nothing happens.
 *
 * Terms:
 * - gate: what an endpoint's state says about sending now (its status and
 *   its circuit);
 * - queued: made pending by this retry and sendable now (the endpoint is
 *   active and its circuit closed; a rate limit only spaces them out);
 * - not queued: everything else the retry examined, by reason.
 */
import type { CircuitState } from './circuit.ts';
import type { DeliveryStatus, EndpointStatus } from './types.ts';

export type NotQueuedReason =
  /** The endpoint's circuit is open (or half-open, a probe deciding): deliveries wait for the probe. */
  | 'circuit_open'
  | 'endpoint_paused'
  | 'endpoint_disabled'
  | 'endpoint_pending_verification'
  | 'endpoint_deleted'
  /** Already pending before this retry (bulk retries only re-queue failed deliveries). */
  | 'already_pending'
  | 'in_flight'
  /** Not failed (succeeded, cancelled or dropped): a bulk retry leaves it alone. */
  | 'finished';

export type UnblockAction =
  | 'reset_circuit'
  | 'resume_endpoint'
  | 'enable_endpoint'
  | 'verify_endpoint'
  | 'retry_now';

/** The action that sends a blocked delivery now; null where none is needed or possible. */
export const UNBLOCK_ACTION: Readonly<Record<NotQueuedReason, UnblockAction | null>> = Object.freeze({
  circuit_open: 'reset_circuit',
  endpoint_paused: 'resume_endpoint',
  endpoint_disabled: 'enable_endpoint',
  endpoint_pending_verification: 'verify_endpoint',
  endpoint_deleted: null,
  already_pending: 'retry_now',
  in_flight: null,
  finished: null,
});

export const NOT_QUEUED_REASONS = Object.keys(UNBLOCK_ACTION) as NotQueuedReason[];
export const UNBLOCK_ACTIONS: readonly UnblockAction[] = Object.freeze([
  'reset_circuit',
  'resume_endpoint',
  'enable_endpoint',
  'verify_endpoint',
  'retry_now',
]);

/** An endpoint's state as far as sending now is concerned. */
export interface EndpointGate {
  endpointId: string;
  endpointName: string;
  /** null: the endpoint was deleted. */
  endpointStatus: EndpointStatus | null;
  circuit: CircuitState;
  /** When an open circuit lets its next probe through. */
  openUntil: number | null;
}

/** One delivery a retry looked at, with its endpoint's gate. */
export interface DeliveryFact extends EndpointGate {
  deliveryId: string;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  updatedAt: number;
}

export interface NotQueuedGroup {
  reason: NotQueuedReason;
  endpointId: string;
  endpointName: string;
  count: number;
  /** circuit_open: when the next probe may go (the circuit's openUntil); null when a probe may go now. */
  nextProbeAt: number | null;
  /** already_pending: the earliest attempt these deliveries are scheduled for. */
  nextAttemptAt: number | null;
}

export interface RetryReport {
  queued: number;
  /** Largest groups first. */
  notQueued: NotQueuedGroup[];
}

export const emptyReport = (): RetryReport => ({ queued: 0, notQueued: [] });

/** What stops the endpoint from sending now, or null: it sends. */
export function blockerOf(gate: Pick<EndpointGate, 'endpointStatus' | 'circuit'>): NotQueuedReason | null {
  switch (gate.endpointStatus) {
    case null:
      return 'endpoint_deleted';
    case 'paused':
      return 'endpoint_paused';
    case 'disabled':
      return 'endpoint_disabled';
    case 'pending_verification':
      return 'endpoint_pending_verification';
    default:
      return gate.circuit === 'closed' ? null : 'circuit_open';
  }
}

/**
 * Where one delivery ends up. `retried`: this retry makes it pending, due now
 * (a single retry re-queues everything not in flight; a bulk retry only
 * failed deliveries; a replay creates new ones).
 */
export function classify(fact: DeliveryFact, retried: boolean): NotQueuedReason | 'queued' {
  if (retried) return blockerOf(fact) ?? 'queued';
  if (fact.status === 'in_flight') return 'in_flight';
  if (fact.status === 'pending') return blockerOf(fact) ?? 'already_pending';
  return 'finished';
}

const keyOf = (g: Pick<NotQueuedGroup, 'reason' | 'endpointId'>) => `${g.reason} ${g.endpointId}`;

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}

/** Adds `count` deliveries of one gate to the report under `outcome`, in place. */
export function addToReport(
  report: RetryReport,
  gate: EndpointGate & { nextAttemptAt?: number | null },
  outcome: NotQueuedReason | 'queued',
  count = 1,
): RetryReport {
  if (count <= 0) return report;
  if (outcome === 'queued') {
    report.queued += count;
    return report;
  }
  const group: NotQueuedGroup = {
    reason: outcome,
    endpointId: gate.endpointId,
    endpointName: gate.endpointName,
    count,
    nextProbeAt: outcome === 'circuit_open' ? gate.openUntil : null,
    nextAttemptAt: outcome === 'already_pending' ? (gate.nextAttemptAt ?? null) : null,
  };
  return mergeGroups(report, [group]);
}

function mergeGroups(report: RetryReport, groups: readonly NotQueuedGroup[]): RetryReport {
  for (const g of groups) {
    const same = report.notQueued.find((o) => keyOf(o) === keyOf(g));
    if (!same) {
      report.notQueued.push({ ...g });
      continue;
    }
    same.count += g.count;
    // The later look at the circuit is the one that holds.
    same.nextProbeAt = g.reason === 'circuit_open' ? g.nextProbeAt : same.nextProbeAt;
    same.nextAttemptAt = minOf(same.nextAttemptAt, g.nextAttemptAt);
    same.endpointName = g.endpointName;
  }
  report.notQueued.sort((a, b) => b.count - a.count || keyOf(a).localeCompare(keyOf(b)));
  return report;
}

/** `later` added to `earlier` (a job's chunks, in order); neither is changed. */
export function mergeReports(earlier: RetryReport | null, later: RetryReport | null): RetryReport {
  const out: RetryReport = {
    queued: earlier?.queued ?? 0,
    notQueued: (earlier?.notQueued ?? []).map((g) => ({ ...g })),
  };
  if (!later) return out;
  out.queued += later.queued;
  return mergeGroups(out, later.notQueued);
}

/** The report of facts classified one by one. */
export function reportOf(
  facts: readonly DeliveryFact[],
  retried: (fact: DeliveryFact) => boolean,
): RetryReport {
  const report = emptyReport();
  for (const f of facts) addToReport(report, f, classify(f, retried(f)));
  return report;
}

/** A report read back from storage, or null when it is not one (a row written by other code). */
export function parseReport(text: string | null | undefined): RetryReport | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as RetryReport;
    if (typeof value?.queued !== 'number' || !Array.isArray(value.notQueued)) return null;
    return value;
  } catch {
    return null;
  }
}

/**
 * When the endpoint's next attempt happens: its earliest due delivery, but
 * not before an open circuit's probe; null when nothing is scheduled or the
 * endpoint is not active (its deliveries are parked until it is).
 */
export function nextSendAt(
  gate: Pick<EndpointGate, 'endpointStatus' | 'circuit' | 'openUntil'>,
  nextDueAt: number | null,
): number | null {
  if (nextDueAt === null || gate.endpointStatus !== 'active') return null;
  if (gate.circuit === 'open' && gate.openUntil !== null) return Math.max(nextDueAt, gate.openUntil);
  return nextDueAt;
}
