/**
 * The claim: the hottest query in Herald. Many workers in many processes
 * claim at once. A claimer takes endpoints first and deliveries second:
 *
 * 1. which endpoints have due work, from the first due rows of the
 *    deliveries_due index (endpoints already at their limit left out);
 * 2. in the same statement, those endpoints' rows locked `FOR NO KEY UPDATE
 *    SKIP LOCKED`: an endpoint another worker is claiming for is skipped, never
 *    waited for, so workers take disjoint endpoints and a claim never waits on
 *    a lock at all;
 * 3. under each endpoint lock, a new statement (so a new snapshot) counts its
 *    in-flight rows and reads its token bucket and circuit, and takes exactly
 *    its room of due deliveries from deliveries_endpoint_due.
 *
 * Taking rows only under their endpoint's lock also means a claim never
 * locks a row another worker just leased (a `FOR UPDATE` scan over rows that
 * changed after its snapshot would, and a completion would then wait on it).
 * See docs/architecture.md, "Cross-process coordination".
 */
import { type FlowState, planClaim } from '../../domain/circuit.ts';
import type { RateLimitPolicy } from '../../domain/types.ts';
import { type ClaimEventRow, claimedDelivery, type LeasedRow, turnState } from '../claim-rows.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import { fromJson, INDEXED_TX, type Pool, type Queryable, withTx } from './db.ts';
import { flowOf, loadFlowsAndInFlight, saveFlowStates } from './flow.ts';

/** Due rows read per slot asked for, to find the endpoints with work. */
const OVERFETCH = 2;

/**
 * Endpoints already at their limit, from the deliveries_in_flight partial
 * index, read without locks: it only keeps their backlog out of the candidate
 * read (so a slow endpoint cannot crowd out the others); the exact count is
 * taken again under the endpoint lock.
 */
const SATURATED_SQL = `
  SELECT f.endpoint_id FROM (
    SELECT endpoint_id, count(*) AS n FROM deliveries
    WHERE status = 'in_flight' AND lease_expires_at > $1 GROUP BY endpoint_id
  ) AS f JOIN endpoints AS s ON s.id = f.endpoint_id
  WHERE f.n >= s.max_in_flight`;

/**
 * The endpoints of the first due rows (walking the deliveries_due partial
 * index), each once, in due order, with their status (null: deleted while an
 * event for it was being stored); the active ones are locked in the same
 * statement, those another claimer holds skipped (`locked` false).
 */
export const CLAIM_CANDIDATES_SQL = `
  WITH due AS (
    SELECT endpoint_id, min(next_attempt_at) AS first_due FROM (
      SELECT endpoint_id, next_attempt_at FROM deliveries
      WHERE status = 'pending' AND next_attempt_at <= $1 AND endpoint_id <> ALL(ARRAY(${SATURATED_SQL}))
      ORDER BY next_attempt_at LIMIT $2
    ) AS d GROUP BY endpoint_id
  ), locked AS (
    SELECT id, max_in_flight, rate_limit, ordered, timeout_ms FROM endpoints
    WHERE id IN (SELECT endpoint_id FROM due) AND status = 'active' AND batch IS NULL
    FOR NO KEY UPDATE SKIP LOCKED
  )
  SELECT due.endpoint_id, p.status, p.batch IS NOT NULL AS batching, l.id IS NOT NULL AS locked,
    l.max_in_flight, l.rate_limit, l.ordered, l.timeout_ms
  FROM due LEFT JOIN endpoints AS p ON p.id = due.endpoint_id LEFT JOIN locked AS l ON l.id = due.endpoint_id
  ORDER BY due.first_due, due.endpoint_id`;

/**
 * Each locked endpoint's first `n` due rows, from its own index range. An
 * ordered endpoint offers only its oldest unfinished delivery (and nothing
 * while that one is in flight or not yet due).
 */
export const DUE_ROWS_SQL = `
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger
  FROM unnest($1::text[], $2::int[], $3::bool[]) AS e(id, n, ordered)
  CROSS JOIN LATERAL (
    SELECT * FROM deliveries AS d
    WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= $4
      AND (NOT e.ordered OR NOT EXISTS (
        SELECT 1 FROM deliveries AS o
        WHERE o.endpoint_id = e.id AND o.status IN ('pending', 'in_flight') AND o.id < d.id))
    ORDER BY d.next_attempt_at
    LIMIT e.n
    FOR UPDATE SKIP LOCKED
  ) AS d`;

/** Leases the taken rows and reads their events in the same round trip. */
const LEASE_SQL = `
  WITH leased AS (
    UPDATE deliveries AS d SET status = 'in_flight', lease_owner = $1, lease_expires_at = v.lease,
      attempts = d.attempts + 1, next_attempt_at = NULL, updated_at = $2
    FROM unnest($3::text[], $4::int8[]) AS v(id, lease)
    WHERE d.id = v.id
    RETURNING d.event_id)
  SELECT id, type, version, resource, payload, created_at AS event_created_at
  FROM events WHERE id IN (SELECT event_id FROM leased)`;

interface CandidateRow {
  endpoint_id: string;
  status: string | null;
  batching: boolean | null;
  /** Locked by this claim; then the endpoint's settings follow. */
  locked: boolean;
  max_in_flight: number | null;
  rate_limit: string | null;
  ordered: boolean | null;
  timeout_ms: number | null;
}

interface LockedEndpoint {
  id: string;
  max_in_flight: number;
  rate_limit: string | null;
  ordered: boolean;
  timeout_ms: number;
}

type DueRow = LeasedRow & { endpoint_id: string };

/** An endpoint's turn in this claim: how many it may take and how held-back rows wait. */
interface Turn {
  endpoint: LockedEndpoint;
  plan: ReturnType<typeof planClaim>;
  flow: FlowState;
  /** Rows it may lease now. */
  slots: number;
  /** Rows read beyond `slots` when flow control holds it back: they are deferred to their token. */
  extra: number;
}

export class PgClaim {
  constructor(private readonly pool: Pool) {}

  async claimDeliveries(req: ClaimRequest): Promise<ClaimedDelivery[]> {
    if (req.limit <= 0) return [];
    return withTx(this.pool, (client) => this.claimInTx(client, req), INDEXED_TX);
  }

  /** The claim's statements, for a caller that holds the transaction. */
  async claimInTx(client: Queryable, { owner, limit, leaseMs, now }: ClaimRequest) {
    if (limit <= 0) return [];
    const { rows } = await client.query<CandidateRow>(CLAIM_CANDIDATES_SQL, [now, limit * OVERFETCH]);
    const locked = await this.sortCandidates(client, rows, now);
    if (locked.length === 0) return [];
    const ids = locked.map((e) => e.id);
    // Read under the endpoint locks, in a statement that starts after them: exact.
    const { flows, inFlight } = await loadFlowsAndInFlight(client, ids, now);

    // Slots go to endpoints in due order (the first due first), as far as the claim's limit goes.
    const turns = new Map<string, Turn>();
    let budget = limit;
    for (const endpoint of locked) {
      const id = endpoint.id;
      const count = inFlight.get(id) ?? 0;
      const room = Math.max(0, (endpoint.ordered ? 1 : endpoint.max_in_flight) - count);
      const flow = flowOf(flows, id);
      const plan = planClaim({
        rateLimit: fromJson<RateLimitPolicy>(endpoint.rate_limit),
        flow,
        inFlight: count,
        now,
      });
      const wanted = Math.min(room, budget);
      const slots = Math.min(wanted, plan.slots);
      budget -= slots;
      // Held back by flow control: as many due rows as a claim reads to find endpoints move to
      // when they may go, so they stop filling the front of the due index.
      const extra = slots < wanted ? limit * OVERFETCH : 0;
      turns.set(id, { endpoint, plan, flow, slots, extra });
    }
    const asked = [...turns.values()].filter((t) => t.slots + t.extra > 0);
    const due =
      asked.length === 0
        ? []
        : (
            await client.query<DueRow>(DUE_ROWS_SQL, [
              asked.map((t) => t.endpoint.id),
              asked.map((t) => t.slots + t.extra),
              asked.map((t) => t.endpoint.ordered),
              now,
            ])
          ).rows;

    const take: { row: DueRow; leaseExpiresAt: number }[] = [];
    const taken = new Map<string, number>();
    const heldBack = new Map<string, number>();
    const deferIds: string[] = [];
    const deferAt: number[] = [];
    for (const row of due) {
      const turn = turns.get(row.endpoint_id)!;
      const n = taken.get(row.endpoint_id) ?? 0;
      if (n < turn.slots) {
        taken.set(row.endpoint_id, n + 1);
        // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
        take.push({ row, leaseExpiresAt: now + turn.endpoint.timeout_ms + leaseMs });
        continue;
      }
      const excess = heldBack.get(row.endpoint_id) ?? 0;
      heldBack.set(row.endpoint_id, excess + 1);
      const at = turn.plan.retryAt(excess, n);
      if (at !== null) {
        deferIds.push(row.id);
        deferAt.push(at);
      }
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
    for (const [id, turn] of turns) {
      const next = turnState(turn.plan, turn.flow, taken.get(id) ?? 0, now);
      if (next) changed.set(id, next);
    }
    await saveFlowStates(client, changed);
    return this.lease(client, owner, now, take);
  }

  /**
   * The candidates' endpoints this claim holds, in due order. Deliveries of an
   * endpoint deleted meanwhile are cancelled (as deleting it would have), and
   * due work of one that is paused or disabled is parked (pending with no due
   * time) until it is active again; batching endpoints are claimed as batches,
   * and endpoints another claimer holds are left to it.
   */
  private async sortCandidates(client: Queryable, rows: CandidateRow[], now: number) {
    const locked: LockedEndpoint[] = [];
    const gone: string[] = [];
    const inactive: string[] = [];
    for (const r of rows) {
      if (r.status === null) gone.push(r.endpoint_id);
      else if (r.locked) locked.push({ ...r, id: r.endpoint_id } as LockedEndpoint);
      else if (r.status !== 'active' && !r.batching) inactive.push(r.endpoint_id);
    }
    if (gone.length > 0) {
      await client.query(
        `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = $1, updated_at = $1
         WHERE endpoint_id = ANY($2::text[]) AND status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM endpoints WHERE id = deliveries.endpoint_id)`,
        [now, gone],
      );
    }
    if (inactive.length > 0) {
      await client.query(
        `UPDATE deliveries AS d SET next_attempt_at = NULL, updated_at = $1
         FROM endpoints AS p
         WHERE p.id = d.endpoint_id AND p.status <> 'active'
           AND d.endpoint_id = ANY($2::text[]) AND d.status = 'pending' AND d.next_attempt_at <= $1`,
        [now, inactive],
      );
    }
    return locked;
  }

  /** Leases the rows taken and fills in what a worker sends from their events. */
  private async lease(
    client: Queryable,
    owner: string,
    now: number,
    take: { row: DueRow; leaseExpiresAt: number }[],
  ): Promise<ClaimedDelivery[]> {
    if (take.length === 0) return [];
    const { rows } = await client.query<ClaimEventRow>(LEASE_SQL, [
      owner,
      now,
      take.map((t) => t.row.id),
      take.map((t) => t.leaseExpiresAt),
    ]);
    const events = new Map(rows.map((e) => [e.id, e]));
    // The rows were locked by this transaction and pending: all are leased. Deliveries
    // reference their event and are deleted with it, so it is there.
    return take.map(({ row, leaseExpiresAt }) => {
      const e = events.get(row.event_id)!;
      return claimedDelivery(
        row,
        row.endpoint_id,
        { ...e, event_created_at: Number(e.event_created_at) },
        leaseExpiresAt,
      );
    });
  }
}
