/**
 * The claim: the hottest query in Herald. One IMMEDIATE transaction takes the
 * write lock first, so concurrent workers (in this process or others sharing
 * the file) never claim the same row twice.
 */
import type { AttemptTrigger } from '../../domain/types.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import { type Db, jsonList, type Statement } from './db.ts';

interface CandidateRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  next_trigger: string;
  type: string;
  version: number;
  resource: string | null;
  payload: string;
  event_created_at: number;
  /** null when the endpoint was deleted while the event was being stored. */
  endpoint_status: string | null;
  max_in_flight: number | null;
  timeout_ms: number;
}

/** Candidates fetched per slot asked for: room to skip rows of endpoints that fill up mid-walk. */
const OVERFETCH = 2;

/**
 * Due candidates, walking deliveries_due in due order; saturated endpoints
 * (a JSON list) are skipped in the scan itself.
 */
export const CLAIM_CANDIDATES_SQL = `
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger,
    e.type, e.version, e.resource, e.payload, e.created_at AS event_created_at,
    p.status AS endpoint_status, p.max_in_flight, p.timeout_ms
  FROM deliveries AS d INDEXED BY deliveries_due
  JOIN events AS e ON e.id = d.event_id
  LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= ?
    AND d.endpoint_id NOT IN (SELECT value FROM json_each(?))
  ORDER BY d.next_attempt_at
  LIMIT ?`;

export class SqliteClaim {
  private readonly inFlightCounts: Statement;
  private readonly endpointLimits: Statement;
  private readonly candidates: Statement;
  private readonly lease: Statement;
  private readonly park: Statement;
  private readonly cancel: Statement;
  private readonly claimTx: { immediate(req: ClaimRequest): ClaimedDelivery[] };

  constructor(db: Db) {
    // Walks the deliveries_in_flight partial index: only rows in flight.
    this.inFlightCounts = db
      .prepare(
        `SELECT endpoint_id, count(*) AS n FROM deliveries
         WHERE status = 'in_flight' AND lease_expires_at > ? GROUP BY endpoint_id`,
      )
      .raw();
    this.endpointLimits = db
      .prepare('SELECT id, max_in_flight FROM endpoints WHERE id IN (SELECT value FROM json_each(?))')
      .raw();
    this.candidates = db.prepare(CLAIM_CANDIDATES_SQL);
    this.lease = db.prepare(
      `UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?,
         attempts = attempts + 1, next_attempt_at = NULL, updated_at = ?
       WHERE id = ?`,
    );
    // Parked: pending with no due time, until the endpoint is active again.
    this.park = db.prepare('UPDATE deliveries SET next_attempt_at = NULL, updated_at = ? WHERE id = ?');
    this.cancel = db.prepare(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = ?, updated_at = ?
       WHERE id = ?`,
    );
    this.claimTx = db.transaction((req: ClaimRequest) => this.claimInTx(req));
  }

  claimDeliveries(req: ClaimRequest): ClaimedDelivery[] {
    if (req.limit <= 0) return [];
    return this.claimTx.immediate(req);
  }

  private claimInTx({ owner, limit, leaseMs, now }: ClaimRequest): ClaimedDelivery[] {
    const inFlight = new Map<string, number>();
    for (const [endpointId, n] of this.inFlightCounts.all(now) as [string, number][])
      inFlight.set(endpointId, n);

    const saturated: string[] = [];
    if (inFlight.size > 0) {
      for (const [id, max] of this.endpointLimits.all(jsonList([...inFlight.keys()])) as [string, number][]) {
        if ((inFlight.get(id) ?? 0) >= max) saturated.push(id);
      }
    }

    const rows = this.candidates.all(now, jsonList(saturated), limit * OVERFETCH) as CandidateRow[];
    const claimed: ClaimedDelivery[] = [];
    for (const row of rows) {
      if (claimed.length >= limit) break;
      if (row.endpoint_status === null || row.max_in_flight === null) {
        // Its endpoint was deleted after the event was matched: cancelled, as deleteEndpoint would have.
        this.cancel.run(now, now, row.id);
        continue;
      }
      if (row.endpoint_status !== 'active') {
        this.park.run(now, row.id);
        continue;
      }
      const count = inFlight.get(row.endpoint_id) ?? 0;
      if (count >= row.max_in_flight) continue;
      inFlight.set(row.endpoint_id, count + 1);
      // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
      const leaseExpiresAt = now + row.timeout_ms + leaseMs;
      this.lease.run(owner, leaseExpiresAt, now, row.id);
      claimed.push({
        id: row.id,
        tenantId: row.tenant_id,
        endpointId: row.endpoint_id,
        eventId: row.event_id,
        attemptNumber: row.attempts + 1,
        trigger: row.next_trigger as AttemptTrigger,
        eventType: row.type,
        eventVersion: row.version,
        resource: row.resource,
        payload: row.payload,
        eventCreatedAt: row.event_created_at,
        leaseExpiresAt,
      });
    }
    return claimed;
  }
}
