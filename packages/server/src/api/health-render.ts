/**
 * Endpoint health and retry reports as the API shows them: ISO times, the
 * action that unblocks each reason, and a sentence a person can act on.
 */
import type { Static } from '@sinclair/typebox';
import type { FlowState } from '../domain/circuit.ts';
import {
  blockerOf,
  type EndpointGate,
  type NotQueuedGroup,
  type NotQueuedReason,
  nextSendAt,
  type RetryReport,
  UNBLOCK_ACTION,
} from '../domain/retry-report.ts';
import type { Endpoint } from '../domain/types.ts';
import type { EndpointHealthFacts } from '../store/health-port.ts';
import { displayUrl, isoOrNull } from './render.ts';
import type { EndpointHealthSchema, NotQueuedGroupSchema } from './schemas/health.ts';

const named = (name: string, id: string) => (name ? `'${name}'` : id);

const when = (ms: number | null, now: number) =>
  ms === null || ms <= now ? 'a probe may go now' : `the next probe is at ${new Date(ms).toISOString()}`;

/** One sentence per reason: what holds the deliveries, and what sends them. */
export function reasonMessage(
  reason: NotQueuedReason,
  g: {
    count?: number;
    endpointId: string;
    endpointName: string;
    nextProbeAt: number | null;
    nextAttemptAt: number | null;
  },
  now: number,
): string {
  const one = g.count === 1;
  const n = g.count === undefined ? 'Deliveries' : `${g.count} ${one ? 'delivery' : 'deliveries'}`;
  const [wait, are, were] = one ? ['waits', 'is', 'was'] : ['wait', 'are', 'were'];
  const them = one ? 'it' : 'them';
  const ep = `endpoint ${named(g.endpointName, g.endpointId)}`;
  switch (reason) {
    case 'circuit_open':
      return `${n} ${wait} behind the open circuit of ${ep} (${when(g.nextProbeAt, now)}); reset the circuit to send ${them} now`;
    case 'endpoint_paused':
      return `${n} ${wait} until ${ep} is resumed; set its status to active to send ${them}`;
    case 'endpoint_disabled':
      return `${n} ${wait}: ${ep} is disabled; fix it, then set its status to active to send ${them}`;
    case 'endpoint_pending_verification':
      return `${n} ${wait} until ${ep} passes its ownership challenge; verify it to send ${them}`;
    case 'endpoint_deleted':
      return `${n} ${one ? 'belongs' : 'belong'} to a deleted endpoint and ${are} not sent`;
    case 'already_pending': {
      const at =
        g.nextAttemptAt !== null && g.nextAttemptAt > now
          ? ` (next attempt at ${new Date(g.nextAttemptAt).toISOString()})`
          : '';
      return `${n} to ${ep} ${were} already pending${at}; use retry now to send ${them} at once`;
    }
    case 'in_flight':
      return `${n} to ${ep} ${are} being attempted right now`;
    case 'finished':
      return `${n} to ${ep} ${are} not failed (succeeded, cancelled or dropped) and ${were} left alone`;
  }
}

export function renderGroup(g: NotQueuedGroup, now: number): Static<typeof NotQueuedGroupSchema> {
  return {
    reason: g.reason,
    count: g.count,
    endpointId: g.endpointId,
    endpointName: g.endpointName,
    action: UNBLOCK_ACTION[g.reason],
    nextProbeAt: isoOrNull(g.nextProbeAt),
    nextAttemptAt: isoOrNull(g.nextAttemptAt),
    message: reasonMessage(g.reason, g, now),
  };
}

export function renderReport(r: RetryReport, now: number) {
  return { queued: r.queued, notQueued: r.notQueued.map((g) => renderGroup(g, now)) };
}

export function renderCircuit(flow: FlowState) {
  const open = flow.circuit !== 'closed';
  return {
    state: flow.circuit,
    since: open ? isoOrNull(flow.openedAt) : null,
    nextProbeAt: flow.circuit === 'open' ? isoOrNull(flow.openUntil) : null,
    failures: flow.failures,
    failingSince: isoOrNull(flow.failingSince),
  };
}

export function gateOf(e: Endpoint, flow: FlowState): EndpointGate {
  return {
    endpointId: e.id,
    endpointName: e.name,
    endpointStatus: e.status,
    circuit: flow.circuit,
    openUntil: flow.openUntil,
  };
}

export function renderHealth(
  e: Endpoint,
  f: EndpointHealthFacts,
  now: number,
): Static<typeof EndpointHealthSchema> {
  const gate = gateOf(e, f.flow);
  const reason = blockerOf(gate);
  const w = f.window;
  return {
    endpointId: e.id,
    name: e.name,
    url: displayUrl(e.url),
    status: e.status,
    circuit: renderCircuit(f.flow),
    lastAttemptAt: isoOrNull(f.lastAttempt?.at ?? null),
    lastError: f.lastError ? { ...f.lastError, at: new Date(f.lastError.at).toISOString() } : null,
    nextAttemptAt: f.pending > 0 ? isoOrNull(nextSendAt(gate, f.nextDueAt)) : null,
    pending: f.pending,
    inFlight: f.inFlight,
    exhausted: f.exhausted,
    oldestPendingAt: isoOrNull(f.oldestPendingAt),
    last24h: w,
    successRate24h: w.attempts > 0 ? w.succeeded / w.attempts : null,
    blocked:
      reason === null
        ? null
        : {
            reason,
            action: UNBLOCK_ACTION[reason],
            message: reasonMessage(
              reason,
              { ...gate, nextProbeAt: f.flow.openUntil, nextAttemptAt: null },
              now,
            ),
          },
  };
}
