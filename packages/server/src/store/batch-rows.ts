/**
 * Batching rows as both adapters' batch claims read them, and the claimed
 * batch a worker sends. The SQL that finds and locks them stays with each
 * adapter; the column lists and the mapping are the same on both.
 */
import { type ClaimEventRow, claimedDelivery, type LeasedRow } from './claim-rows.ts';
import type { ClaimedBatch } from './port.ts';

/** A batching endpoint with work, with what its claim needs to know of it. */
export interface BatchingRow {
  id: string;
  tenant_id: string;
  status: string;
  batch: string;
  max_in_flight: number;
  timeout_ms: number;
  rate_limit: string | null;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  ordered: number | boolean | null;
}

/** A delivery of a batch (forming or formed) with its event. */
export interface MemberRow extends LeasedRow, Omit<ClaimEventRow, 'id'> {
  endpoint_id: string;
  /** When the delivery was created: a batch waits for its oldest member at most maxWaitMs. */
  created_at: number;
}

/**
 * The columns the batch claims select: a BatchingRow from `endpoints AS p`,
 * a MemberRow from `deliveries AS d JOIN events AS e`.
 */
export const BATCH_COLUMNS = {
  endpoint: 'p.id, p.tenant_id, p.status, p.batch, p.max_in_flight, p.timeout_ms, p.rate_limit, p.ordered',
  member: `d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger, d.created_at,
    e.type, e.version, e.resource, e.payload, e.created_at AS event_created_at`,
};

export function claimedBatch(
  id: string,
  ep: BatchingRow,
  attemptNumber: number,
  leaseExpiresAt: number,
  rows: MemberRow[],
): ClaimedBatch {
  return {
    id,
    tenantId: ep.tenant_id,
    endpointId: ep.id,
    attemptNumber,
    leaseExpiresAt,
    deliveries: rows.map((r) => claimedDelivery(r, r.endpoint_id, r, leaseExpiresAt)),
  };
}
