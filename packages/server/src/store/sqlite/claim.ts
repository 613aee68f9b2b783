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
/** Most candidate rows read per query; a claim reads further chunks only while they yield deliveries. */
const CHUNK = 64;

interface EventRow {
  id: string;
  type: string;
  version: number;
  resource: string | null;
  payload: string;
  created_at: number;
}

/**
 * Due candidates, walking deliveries_due in due order; saturated endpoints
 * (a JSON list) are skipped in the scan itself. Events (with their payloads)
 * are read afterwards, only for the deliveries actually leased: most
 * candidates of a busy endpoint are passed over, and reading their payloads
 * was most of the claim's cost.
 */
export const CLAIM_CANDIDATES_SQL = `
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger,
    p.status AS endpoint_status, p.max_in_flight, p.timeout_ms, p.rate_limit, p.ordered
  FROM deliveries AS d INDEXED BY deliveries_due
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
  private readonly eventsById: Statement;
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
    this.eventsById = db.prepare(
      `SELECT id, type, version, resource, payload, created_at FROM events
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
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
    this.claimTx = db.transaction((req: ClaimRequest) => this.claimInTransaction(req));
  }

  claimDeliveries(req: ClaimRequest): ClaimedDelivery[] {
    if (req.limit <= 0) return [];
    return this.claimTx.immediate(req);
  }

  /** The claim's statements, for a caller that already holds the write transaction. */
  claimInTransaction({ owner, limit, leaseMs, now }: ClaimRequest): ClaimedDelivery[] {
    if (limit <= 0) return [];
    const inFlight = new Map<string, number>();
    for (const [endpointId, n] of this.inFlightCounts.all(now) as [string, number][])
      inFlight.set(endpointId, n);

    const saturated: string[] = [];
    if (inFlight.size > 0) {
      for (const [id, max] of this.endpointLimits.all(jsonList([...inFlight.keys()])) as [string, number][]) {
        if ((inFlight.get(id) ?? 0) >= max) saturated.push(id);
      }
    }

    const taken: { row: CandidateRow; leaseExpiresAt: number }[] = [];
    const turns = new Map<string, EndpointTurn>();
    // Candidates are read in small chunks. An endpoint that fills up (or has
    // nothing more to give) joins `excluded`, so the next chunk skips its
    // rows in the scan itself; taken, deferred and parked rows have left the
    // due index. So no row is read twice, and a claim that only had room for a
    // few deliveries of a busy endpoint does not read hundreds of its rows.
    const excluded = new Set(saturated);
    const chunk = Math.min(limit * OVERFETCH, CHUNK);
    for (;;) {
      const rows = this.candidates.all(now, jsonList([...excluded]), chunk) as CandidateRow[];
      const before = taken.length;
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.endpoint_id);
        if (taken.length >= limit) break;
        if (excluded.has(row.endpoint_id)) continue;
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
          else excluded.add(row.endpoint_id);
          continue;
        }
        // Ordered endpoints: the scan already offers only the oldest unfinished delivery; one at a time.
        if (count >= (row.ordered ? 1 : row.max_in_flight)) {
          excluded.add(row.endpoint_id);
          continue;
        }
        inFlight.set(row.endpoint_id, count + 1);
        turn.taken += 1;
        // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
        const leaseExpiresAt = now + row.timeout_ms + leaseMs;
        this.lease.run(owner, leaseExpiresAt, now, row.id);
        taken.push({ row, leaseExpiresAt });
      }
      // Done when full, when the due rows ran out, when a whole chunk gave
      // nothing, or when every endpoint in it is now full: the next chunk
      // would walk past their backlogs to find others, which is what made
      // claims slow. What lies behind waits for the next claim.
      if (taken.length >= limit || rows.length < chunk || taken.length === before) break;
      if ([...seen].every((id) => excluded.has(id))) break;
    }
    this.saveTurns(turns, now);
    return this.withEvents(taken);
  }

  private withEvents(taken: { row: CandidateRow; leaseExpiresAt: number }[]): ClaimedDelivery[] {
    if (taken.length === 0) return [];
    const events = new Map<string, EventRow>();
    for (const e of this.eventsById.all(jsonList(taken.map((t) => t.row.event_id))) as EventRow[]) {
      events.set(e.id, e);
    }
    return taken.map(({ row, leaseExpiresAt }) => {
      // The event row cannot be missing: deliveries reference it and are deleted with it.
      const event = events.get(row.event_id)!;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        endpointId: row.endpoint_id,
        eventId: row.event_id,
        attemptNumber: row.attempts + 1,
        trigger: row.next_trigger as AttemptTrigger,
        eventType: event.type,
        eventVersion: event.version,
        resource: event.resource,
        payload: event.payload,
        eventCreatedAt: event.created_at,
        leaseExpiresAt,
      };
    });
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
