/**
 * The endpoint-health port: what the health routes and honest retries need
 * from the database, beside the Store port (like `store.ops`). An adapter
 * exposes it as `store.health`; `healthOf(store)` reads it.
 *
 * Every read takes a list of ids and costs a fixed number of queries however
 * long the list is (one per concern, never one per endpoint), so the
 * dashboard's list can ask for the health of a page of endpoints at once.
 */
import type { FlowState } from '../domain/circuit.ts';
import { HeraldError } from '../domain/errors.ts';
import type { DeliveryFact, EndpointGate } from '../domain/retry-report.ts';
import type { Store } from './port.ts';

/** Failed attempts are looked for among this many of an endpoint's latest attempts (a bounded walk). */
export const LAST_ERROR_LOOKBACK = 100;

export interface EndpointHealthFacts {
  endpointId: string;
  flow: FlowState;
  /** Deliveries pending (due, waiting for a retry, or parked). */
  pending: number;
  inFlight: number;
  /** Deliveries whose retries are exhausted (`failed`), waiting for a manual retry. */
  exhausted: number;
  /** The earliest due time of a pending delivery (null: none is scheduled). */
  nextDueAt: number | null;
  /** When the oldest pending delivery was created. */
  oldestPendingAt: number | null;
  /** The latest attempt (test sends left out). */
  lastAttempt: { at: number; succeeded: boolean } | null;
  /** The latest failed attempt among the last LAST_ERROR_LOOKBACK (test sends left out). */
  lastError: { at: number; kind: string; message: string; statusCode: number | null } | null;
  /** From the stats rollup, since the `since` asked for. */
  window: { attempts: number; succeeded: number; failed: number };
}

export interface CircuitReset {
  /** The flow state before the reset. */
  previous: FlowState;
  /** Pending deliveries of the endpoint that are due now, after the reset. */
  due: number;
}

export interface HealthStore {
  /** Facts of those of `endpointIds` that are the tenant's; rollup counts from `since`. */
  endpointHealth(
    tenantId: string,
    endpointIds: readonly string[],
    since: number,
  ): Promise<EndpointHealthFacts[]>;
  /** The tenant's deliveries among `deliveryIds`, each with its endpoint's gate. Unknown ids are left out. */
  deliveryFacts(tenantId: string, deliveryIds: readonly string[]): Promise<DeliveryFact[]>;
  /** The endpoint's gate, or null when it is not the tenant's. */
  endpointGate(tenantId: string, endpointId: string): Promise<EndpointGate | null>;
  /**
   * Closes the endpoint's circuit now (consecutive failures and opens back
   * to 0; `failingSince` kept, so auto-disable still sees how long it has
   * failed), and makes the deliveries the circuit held back due now (pending
   * ones scheduled no later than the circuit's openUntil). Null when the
   * endpoint is not the tenant's.
   */
  resetCircuit(tenantId: string, endpointId: string, now: number): Promise<CircuitReset | null>;
  /**
   * Makes the endpoint's pending deliveries that wait for a later time due
   * now (retries get trigger `manual`); parked ones stay parked. Returns how
   * many it moved, and how many are pending in all; null when the endpoint
   * is not the tenant's.
   */
  retryNow(
    tenantId: string,
    endpointId: string,
    now: number,
  ): Promise<{ moved: number; pending: number } | null>;
}

/** The endpoint-health port of a store; a clear error when the adapter has none. */
export function healthOf(store: Store): HealthStore {
  const health = (store as Store & { health?: HealthStore }).health;
  if (!health) {
    throw new HeraldError('unavailable', 'this database adapter does not report endpoint health yet');
  }
  return health;
}
