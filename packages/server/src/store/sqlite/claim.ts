/**
 * The claim: the hottest query in Herald. One IMMEDIATE transaction takes the
 * write lock first, so concurrent workers (in this process or others sharing
 * the file) never claim the same row twice.
 */
import { type ClaimPlan, type FlowState, planClaim } from '../../domain/circuit.ts';
import type { AttemptTrigger, RateLimitPolicy } from '../../domain/types.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import { type Db, fromJson, jsonList, type Statement } from './db.ts';
import { SqliteFlow } from './flow.ts';

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
  rate_limit: string | null;
  ordered: number | null;
}

/** Per endpoint, for one claim: what flow control allows and what was taken. */
interface EndpointTurn {
  plan: ClaimPlan;
  flow: FlowState;
  rateLimit: RateLimitPolicy | null;
  taken: number;
  heldBack: number;
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
    p.status AS endpoint_status, p.max_in_flight, p.timeout_ms, p.rate_limit, p.ordered
  FROM deliveries AS d INDEXED BY deliveries_due
  JOIN events AS e ON e.id = d.event_id
  LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= ?
    AND d.endpoint_id NOT IN (SELECT value FROM json_each(?))
    AND p.batch IS NULL -- batching endpoints are claimed as batches (batches.ts)
    AND (coalesce(p.ordered, 0) = 0 OR NOT EXISTS (
      SELECT 1 FROM deliveries AS o INDEXED BY deliveries_unfinished
      WHERE o.endpoint_id = d.endpoint_id AND o.status IN ('pending', 'in_flight') AND o.id < d.id))
  ORDER BY d.next_attempt_at
  LIMIT ?`;

export class SqliteClaim {
  private readonly inFlightCounts: Statement;
  private readonly endpointLimits: Statement;
  private readonly candidates: Statement;
  private readonly lease: Statement;
  private readonly park: Statement;
  private readonly cancel: Statement;
  private readonly defer: Statement;
  private readonly flow: SqliteFlow;
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
    // Held back by flow control (rate limit, open circuit): due again when it may go.
    this.defer = db.prepare('UPDATE deliveries SET next_attempt_at = ?, updated_at = ? WHERE id = ?');
    this.flow = new SqliteFlow(db);
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
    const turns = new Map<string, EndpointTurn>();
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
      const turn = this.turnOf(turns, row, count, now);
      if (turn.taken >= turn.plan.slots) {
        const at = turn.plan.retryAt(turn.heldBack++, turn.taken);
        if (at !== null) this.defer.run(at, now, row.id);
        continue;
      }
      // Ordered endpoints: the scan already offers only the oldest unfinished delivery; one at a time.
      if (count >= (row.ordered ? 1 : row.max_in_flight)) continue;
      inFlight.set(row.endpoint_id, count + 1);
      turn.taken += 1;
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
    this.saveTurns(turns, now);
    return claimed;
  }

  private turnOf(turns: Map<string, EndpointTurn>, row: CandidateRow, inFlight: number, now: number) {
    let turn = turns.get(row.endpoint_id);
    if (!turn) {
      const flow = this.flow.state(row.endpoint_id);
      const rateLimit = fromJson<RateLimitPolicy>(row.rate_limit);
      turn = { plan: planClaim({ rateLimit, flow, inFlight, now }), flow, rateLimit, taken: 0, heldBack: 0 };
      turns.set(row.endpoint_id, turn);
    }
    return turn;
  }

  /** Spends the tokens taken and marks a probe's circuit half-open, in the claim's transaction. */
  private saveTurns(turns: Map<string, EndpointTurn>, now: number): void {
    for (const [endpointId, { plan, flow, taken }] of turns) {
      if (plan.probe && taken > 0) {
        this.flow.saveState(endpointId, { ...flow, circuit: 'half_open' });
      } else if (plan.tokens !== null && (taken > 0 || flow.tokens === null)) {
        this.flow.saveState(endpointId, { ...flow, tokens: plan.tokens - taken, refilledAt: now });
      }
    }
  }
}
