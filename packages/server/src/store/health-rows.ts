/**
 * Endpoint health as both adapters read it: one query per concern over the
 * list of endpoint ids (health-port.ts), each answering rows keyed by
 * endpoint, put together here. PostgreSQL's counts and sums may arrive as
 * strings, SQLite's flags as 0/1, so values are read with Number() and Boolean().
 */
import { type CircuitState, type FlowState, INITIAL_FLOW_STATE } from '../domain/circuit.ts';
import type { DeliveryFact, EndpointGate } from '../domain/retry-report.ts';
import type { DeliveryStatus, EndpointStatus } from '../domain/types.ts';
import type { EndpointHealthFacts } from './health-port.ts';

type Num = string | number;
const num = (v: Num | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export interface UnfinishedRow {
  endpoint_id: string;
  pending: Num;
  in_flight: Num;
  next_due: Num | null;
  oldest: Num | null;
}
export type ExhaustedRow = { endpoint_id: string; n: Num };
export type LastAttemptRow = { endpoint_id: string; created_at: Num; succeeded: number | boolean };
export interface LastErrorRow {
  endpoint_id: string;
  created_at: Num;
  error_kind: string | null;
  error_message: string | null;
  response_status: number | null;
}
export type WindowRow = { endpoint_id: string; attempts: Num; succeeded: Num; failed: Num };

/** What the health queries answered: rows of the endpoints that have any. */
export interface HealthRows {
  /** The endpoints among those asked for that are the tenant's. */
  owned: readonly string[];
  unfinished: readonly UnfinishedRow[];
  exhausted: readonly ExhaustedRow[];
  last: readonly LastAttemptRow[];
  errors: readonly LastErrorRow[];
  windows: readonly WindowRow[];
  flows: ReadonlyMap<string, FlowState>;
}

const byEndpoint = <T extends { endpoint_id: string }>(rows: readonly T[]): Map<string, T> =>
  new Map(rows.map((r) => [r.endpoint_id, r]));

/** The facts of those of `ids` that are the tenant's, in the order asked for. */
export function healthFacts(ids: readonly string[], rows: HealthRows): EndpointHealthFacts[] {
  const owned = new Set(rows.owned);
  const unfinished = byEndpoint(rows.unfinished);
  const exhausted = byEndpoint(rows.exhausted);
  const last = byEndpoint(rows.last);
  const errors = byEndpoint(rows.errors);
  const windows = byEndpoint(rows.windows);
  return ids
    .filter((id) => owned.has(id))
    .map((id): EndpointHealthFacts => {
      const u = unfinished.get(id);
      const a = last.get(id);
      const e = errors.get(id);
      const w = windows.get(id);
      return {
        endpointId: id,
        flow: rows.flows.get(id) ?? { ...INITIAL_FLOW_STATE },
        pending: num(u?.pending) ?? 0,
        inFlight: num(u?.in_flight) ?? 0,
        exhausted: num(exhausted.get(id)?.n) ?? 0,
        nextDueAt: num(u?.next_due),
        oldestPendingAt: num(u?.oldest),
        lastAttempt: a ? { at: Number(a.created_at), succeeded: Boolean(a.succeeded) } : null,
        lastError: e
          ? {
              at: Number(e.created_at),
              kind: e.error_kind ?? 'http_status',
              message: e.error_message ?? `the endpoint answered ${e.response_status ?? 'nothing'}`,
              statusCode: e.response_status,
            }
          : null,
        window: {
          attempts: num(w?.attempts) ?? 0,
          succeeded: num(w?.succeeded) ?? 0,
          failed: num(w?.failed) ?? 0,
        },
      };
    });
}

/** An endpoint's gate as both stores' SQL reads it (PostgreSQL's int8 columns arrive as strings). */
export interface GateRow {
  endpoint_id: string;
  name: string | null;
  endpoint_status: string | null;
  circuit: string | null;
  open_until: string | number | null;
}

export const gateOf = (r: GateRow): EndpointGate => ({
  endpointId: r.endpoint_id,
  endpointName: r.name ?? '',
  endpointStatus: r.endpoint_status as EndpointStatus | null,
  circuit: (r.circuit ?? 'closed') as CircuitState,
  openUntil: r.open_until === null ? null : Number(r.open_until),
});

/** A delivery with its endpoint's gate, as both stores' deliveryFacts query reads it. */
export type FactRow = GateRow & {
  id: string;
  status: string;
  next_attempt_at: Num | null;
  updated_at: Num;
};

export const factOf = (r: FactRow): DeliveryFact => ({
  ...gateOf(r),
  deliveryId: r.id,
  status: r.status as DeliveryStatus,
  nextAttemptAt: num(r.next_attempt_at),
  updatedAt: Number(r.updated_at),
});
