/**
 * The claim: the hottest query in Herald. Many workers in many processes
 * claim at once; `FOR UPDATE SKIP LOCKED` hands each a disjoint set of due
 * rows without waiting, and locking the endpoint rows involved serialises the
 * per-endpoint in-flight accounting (see docs/architecture.md, "Cross-process
 * coordination").
 */
import { type FlowState, planClaim } from '../../domain/circuit.ts';
import type { AttemptTrigger, RateLimitPolicy } from '../../domain/types.ts';
import { type ClaimEventRow, turnState } from '../claim-rows.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import { fromJson, type Pool, type Queryable, withTx } from './db.ts';
import { flowOf, loadFlowStates, saveFlowStates } from './flow.ts';

interface CandidateRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  next_trigger: string;
  /** null when the endpoint was deleted while the event was being stored. */
  endpoint_status: string | null;
  timeout_ms: number | null;
}

interface Turn {
  plan: ReturnType<typeof planClaim>;
  flow: FlowState;
  taken: number;
  heldBack: number;
}

/** Candidates fetched per slot asked for: room to skip rows of endpoints that fill up mid-walk. */
const OVERFETCH = 2;

/**
 * Endpoints already at their limit, from the deliveries_in_flight partial
 * index. Read without locks: it only keeps their backlog out of the candidate
 * scan (so a slow endpoint cannot crowd out the others); the exact count is
 * taken again under the endpoint lock.
 */
const SATURATED_SQL = `
  SELECT f.endpoint_id FROM (
    SELECT endpoint_id, count(*) AS n FROM deliveries
    WHERE status = 'in_flight' AND lease_expires_at > $1 GROUP BY endpoint_id
  ) AS f JOIN endpoints AS p ON p.id = f.endpoint_id
  WHERE f.n >= p.max_in_flight`;

/**
 * Due candidates in due order, walking the deliveries_due partial index; rows
 * other claimers hold are skipped. Events (with their payloads) are read
 * afterwards, only for the deliveries actually leased.
 */
export const CLAIM_CANDIDATES_SQL = `
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger,
    p.status AS endpoint_status, p.timeout_ms
  FROM deliveries AS d
  LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
  WHERE d.status = 'pending' AND d.next_attempt_at <= $1
    AND d.endpoint_id <> ALL($2::text[])
    AND p.batch IS NULL -- batching endpoints are claimed as batches (batches.ts)
    AND (NOT coalesce(p.ordered, FALSE) OR NOT EXISTS (
      SELECT 1 FROM deliveries AS o
      WHERE o.endpoint_id = d.endpoint_id AND o.status IN ('pending', 'in_flight') AND o.id < d.id))
  ORDER BY d.next_attempt_at
  LIMIT $3
  FOR UPDATE OF d SKIP LOCKED`;

/**
 * Locks the active endpoints among the candidates, in id order (every claimer
 * takes them in the same order, so claimers never deadlock each other). NO KEY
 * UPDATE does not block foreign-key checks (adding a resource) on those rows.
 */
const LOCK_ENDPOINTS_SQL = `
  SELECT id, max_in_flight, rate_limit, ordered FROM endpoints
  WHERE id = ANY($1::text[]) AND status = 'active'
  ORDER BY id
  FOR NO KEY UPDATE`;

/** Taken under the endpoint locks: no other claimer can add to these counts until we commit. */
const IN_FLIGHT_SQL = `
  SELECT endpoint_id, count(*) AS n FROM deliveries
  WHERE status = 'in_flight' AND lease_expires_at > $1 AND endpoint_id = ANY($2::text[])
  GROUP BY endpoint_id`;

const LEASE_SQL = `
  UPDATE deliveries AS d SET status = 'in_flight', lease_owner = $1, lease_expires_at = v.lease,
    attempts = d.attempts + 1, next_attempt_at = NULL, updated_at = $2
  FROM unnest($3::text[], $4::int8[]) AS v(id, lease)
  WHERE d.id = v.id`;

export class PgClaim {
  constructor(private readonly pool: Pool) {}

  async claimDeliveries(req: ClaimRequest): Promise<ClaimedDelivery[]> {
    if (req.limit <= 0) return [];
    return withTx(this.pool, (client) => this.claimInTx(client, req));
  }

  private async claimInTx(client: Queryable, { owner, limit, leaseMs, now }: ClaimRequest) {
    const saturated = (await client.query<{ endpoint_id: string }>(SATURATED_SQL, [now])).rows.map(
      (r) => r.endpoint_id,
    );
    const { rows } = await client.query<CandidateRow>(CLAIM_CANDIDATES_SQL, [
      now,
      saturated,
      limit * OVERFETCH,
    ]);
    if (rows.length === 0) return [];

    const cancel: string[] = [];
    const park: string[] = [];
    const sendable: CandidateRow[] = [];
    for (const row of rows) {
      // Its endpoint was deleted after the event was matched: cancelled, as deleteEndpoint would have.
      if (row.endpoint_status === null) cancel.push(row.id);
      else if (row.endpoint_status !== 'active') park.push(row.id);
      else sendable.push(row);
    }
    if (cancel.length > 0) {
      await client.query(
        `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = $1, updated_at = $1
         WHERE id = ANY($2::text[])`,
        [now, cancel],
      );
    }
    // Parked: pending with no due time, until the endpoint is active again.
    if (park.length > 0) {
      await client.query(
        'UPDATE deliveries SET next_attempt_at = NULL, updated_at = $1 WHERE id = ANY($2::text[])',
        [now, park],
      );
    }
    if (sendable.length === 0) return [];

    const endpointIds = [...new Set(sendable.map((r) => r.endpoint_id))];
    const limits = new Map<string, number>();
    const rateLimits = new Map<string, RateLimitPolicy | null>();
    for (const r of (
      await client.query<{ id: string; max_in_flight: number; rate_limit: string | null; ordered: boolean }>(
        LOCK_ENDPOINTS_SQL,
        [endpointIds],
      )
    ).rows) {
      // Ordered endpoints: the scan offers only the oldest unfinished delivery; one in flight at a time.
      limits.set(r.id, r.ordered ? 1 : r.max_in_flight);
      rateLimits.set(r.id, fromJson<RateLimitPolicy>(r.rate_limit));
    }
    // Read under the endpoint locks: no other claimer or completion changes them until we commit.
    const flows = await loadFlowStates(client, [...limits.keys()]);
    const inFlight = new Map<string, number>();
    for (const r of (
      await client.query<{ endpoint_id: string; n: number }>(IN_FLIGHT_SQL, [now, [...limits.keys()]])
    ).rows)
      inFlight.set(r.endpoint_id, r.n);

    const claimed: ClaimedDelivery[] = [];
    const turns = new Map<string, Turn>();
    const deferIds: string[] = [];
    const deferAt: number[] = [];
    for (const row of sendable) {
      if (claimed.length >= limit) break;
      const max = limits.get(row.endpoint_id);
      // Not in `limits`: paused or deleted since the candidate scan; left pending for the next claim.
      if (max === undefined) continue;
      const count = inFlight.get(row.endpoint_id) ?? 0;
      let turn = turns.get(row.endpoint_id);
      if (!turn) {
        const flow = flowOf(flows, row.endpoint_id);
        const rateLimit = rateLimits.get(row.endpoint_id) ?? null;
        turn = { plan: planClaim({ rateLimit, flow, inFlight: count, now }), flow, taken: 0, heldBack: 0 };
        turns.set(row.endpoint_id, turn);
      }
      if (turn.taken >= turn.plan.slots) {
        // Held back by flow control (rate limit, open circuit): due again when it may go.
        const at = turn.plan.retryAt(turn.heldBack++, turn.taken);
        if (at !== null) {
          deferIds.push(row.id);
          deferAt.push(at);
        }
        continue;
      }
      if (count >= max) continue;
      inFlight.set(row.endpoint_id, count + 1);
      turn.taken += 1;
      claimed.push({
        id: row.id,
        tenantId: row.tenant_id,
        endpointId: row.endpoint_id,
        eventId: row.event_id,
        attemptNumber: row.attempts + 1,
        trigger: row.next_trigger as AttemptTrigger,
        // Filled in from the event once leased (withEvents).
        eventType: '',
        eventVersion: 0,
        resource: null,
        payload: '',
        eventCreatedAt: 0,
        // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
        leaseExpiresAt: now + (row.timeout_ms ?? 0) + leaseMs,
      });
    }
    if (deferIds.length > 0) {
      await client.query(
        `UPDATE deliveries AS d SET next_attempt_at = v.at, updated_at = $1
         FROM unnest($2::text[], $3::int8[]) AS v(id, at) WHERE d.id = v.id`,
        [now, deferIds, deferAt],
      );
    }
    // Spends the tokens taken and marks a probe's circuit half-open.
    const changed = new Map<string, FlowState>();
    for (const [endpointId, { plan, flow, taken }] of turns) {
      const next = turnState(plan, flow, taken, now);
      if (next) changed.set(endpointId, next);
    }
    await saveFlowStates(client, changed);
    if (claimed.length > 0) {
      await client.query(LEASE_SQL, [
        owner,
        now,
        claimed.map((c) => c.id),
        claimed.map((c) => c.leaseExpiresAt),
      ]);
      await withEvents(client, claimed);
    }
    return claimed;
  }
}

/** Reads the leased deliveries' events in one query and fills in what a worker sends. */
async function withEvents(client: Queryable, claimed: ClaimedDelivery[]): Promise<void> {
  const { rows } = await client.query<ClaimEventRow>(
    `SELECT id, type, version, resource, payload, created_at AS event_created_at
     FROM events WHERE id = ANY($1::text[])`,
    [[...new Set(claimed.map((c) => c.eventId))]],
  );
  const events = new Map(rows.map((e) => [e.id, e]));
  for (const c of claimed) {
    // Deliveries reference their event and are deleted with it: it is there.
    const e = events.get(c.eventId)!;
    c.eventType = e.type;
    c.eventVersion = e.version;
    c.resource = e.resource;
    c.payload = e.payload;
    c.eventCreatedAt = Number(e.event_created_at);
  }
}
