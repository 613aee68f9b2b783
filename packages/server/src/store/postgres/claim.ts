/**
 * The claim: the hottest query in Herald. Many workers in many processes
 * claim at once. A claimer takes endpoints first and deliveries second, over
 * the queue heads (one small row per endpoint with work; migration 0015):
 *
 * 1. the candidates are the due heads and the wake-ups writers left since
 *    (endpoints already at their limit left out); in the same statement their
 *    endpoint rows are locked `FOR NO KEY UPDATE SKIP LOCKED`: an endpoint
 *    another worker is claiming for is skipped, never waited for, so workers
 *    take disjoint endpoints and a claim never waits on a lock at all;
 * 2. under each endpoint lock, a new statement (so a new snapshot) counts its
 *    in-flight rows and reads its token bucket and circuit, and the claim
 *    takes exactly its room of due deliveries from deliveries_endpoint_due;
 * 3. last, each endpoint held gets its head set to its exact next due time
 *    (not before flow control lets it send) and its wake-ups are deleted.
 *
 * Only a claim holding the endpoint's lock writes its head, so heads never
 * race; a wake-up written after the claim's snapshot is not among those it
 * deletes, so the next claim sees it. A full endpoint costs a claim one head,
 * whatever its backlog. See docs/architecture.md, "Cross-process coordination".
 */
import { type FlowState, planClaim } from '../../domain/circuit.ts';
import type { RateLimitPolicy } from '../../domain/types.ts';
import { type ClaimEventRow, claimedDelivery, type LeasedRow, turnState } from '../claim-rows.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import {
  CANCEL_GONE_SQL,
  CLAIM_CANDIDATES_SQL,
  DUE_ROWS_SQL,
  LEASE_SQL,
  MOVE_HEADS_SQL,
  PARK_SQL,
} from './claim-sql.ts';
import { fromJson, INDEXED_TX, type Pool, type Queryable, withTx } from './db.ts';
import { flowOf, loadFlowsAndInFlight, saveFlowStates } from './flow.ts';

/** Heads read per slot asked for: room to pass over endpoints that have none. */
const OVERFETCH = 2;
/** Wake-ups folded per claim at most; the rest wait for the next one. */
const WAKEUPS_PER_CLAIM = 1000;

interface CandidateRow {
  endpoint_id: string;
  /** The earliest due time of its head and wake-ups. */
  due_at: number;
  wakeups: string[] | null;
  /** The endpoint row exists (false: deleted while an event for it was being stored). */
  present: boolean;
  /** Locked by this claim; the settings below are the locked row's (null when not locked). */
  locked: boolean;
  status: string | null;
  batching: boolean | null;
  max_in_flight: number;
  rate_limit: string | null;
  ordered: boolean;
  timeout_ms: number;
}

type DueRow = LeasedRow & { endpoint_id: string };

/** An endpoint's turn in this claim. */
interface Turn {
  endpoint: CandidateRow;
  plan: ReturnType<typeof planClaim>;
  flow: FlowState;
  /** Free slots under maxInFlight (1 for an ordered endpoint). */
  room: number;
  /** Rows it may lease now: its room, unless flow control allows fewer. */
  cap: number;
}

/** What the claim's last statement writes. */
interface HeadMoves {
  wakeups: string[];
  drop: string[];
  /** Endpoints whose head is recomputed, each with the time flow control holds it back to (or null). */
  notBefore: Map<string, number | null>;
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
    const { rows } = await client.query<CandidateRow>(CLAIM_CANDIDATES_SQL, [
      now,
      limit * OVERFETCH,
      WAKEUPS_PER_CLAIM,
    ]);
    if (rows.length === 0) return [];
    const moves: HeadMoves = { wakeups: [], drop: [], notBefore: new Map() };
    const due = await this.sortCandidates(client, rows, now, moves);
    const turns = await this.planTurns(client, due, now);
    const { dueRows, taken } = await this.takeDueRows(client, turns, limit, now);

    // Spends the tokens taken and marks a probe's circuit half-open.
    const changed = new Map<string, FlowState>();
    for (const [id, turn] of turns) {
      const n = taken.get(id) ?? 0;
      const next = turnState(turn.plan, turn.flow, n, now);
      if (next) changed.set(id, next);
      // Held back (rate limit, open circuit, probe): its head waits until it may send.
      if (turn.cap < turn.room && n >= turn.cap) {
        moves.notBefore.set(id, turn.plan.retryAt(0, n));
      }
    }
    await saveFlowStates(client, changed);
    const claimed = await this.lease(
      client,
      owner,
      now,
      dueRows.map((row) => ({
        row,
        // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
        leaseExpiresAt: now + turns.get(row.endpoint_id)!.endpoint.timeout_ms + leaseMs,
      })),
    );
    await client.query(MOVE_HEADS_SQL, [
      moves.wakeups,
      moves.drop,
      [...moves.notBefore.keys()],
      [...moves.notBefore.values()],
    ]);
    return claimed;
  }

  /**
   * The candidates this claim holds and may send to, in due order; what the
   * others need is noted in `moves`. Deliveries of an endpoint deleted meanwhile
   * are cancelled (as deleting it would have), due work of one that is paused
   * or disabled is parked (pending with no due time) until it is active again,
   * batching endpoints are claimed as batches (batches.ts) and have no head,
   * and an endpoint another claimer holds is left to it, wake-ups and all.
   */
  private async sortCandidates(client: Queryable, rows: CandidateRow[], now: number, moves: HeadMoves) {
    const sendable: CandidateRow[] = [];
    const gone: string[] = [];
    const inactive: string[] = [];
    for (const r of rows) {
      if (r.present && !r.locked) continue;
      moves.wakeups.push(...(r.wakeups ?? []));
      if (!r.present) {
        gone.push(r.endpoint_id);
        moves.drop.push(r.endpoint_id);
        continue;
      }
      moves.notBefore.set(r.endpoint_id, null);
      if (r.batching) continue;
      if (r.status !== 'active') inactive.push(r.endpoint_id);
      else if (Number(r.due_at) <= now) sendable.push(r);
    }
    if (gone.length > 0) await client.query(CANCEL_GONE_SQL, [now, gone]);
    if (inactive.length > 0) await client.query(PARK_SQL, [now, inactive]);
    return sendable;
  }

  /** Each endpoint's room and what flow control lets it send now, read under its lock. */
  private async planTurns(client: Queryable, endpoints: CandidateRow[], now: number) {
    const turns = new Map<string, Turn>();
    if (endpoints.length === 0) return turns;
    // Read under the endpoint locks, in a statement that starts after them: exact.
    const { flows, inFlight } = await loadFlowsAndInFlight(
      client,
      endpoints.map((e) => e.endpoint_id),
      now,
    );
    for (const endpoint of endpoints) {
      const id = endpoint.endpoint_id;
      const count = inFlight.get(id) ?? 0;
      // Full: its deliveries stay due and its head where it is, for the claim after a slot frees.
      const room = Math.max(0, (endpoint.ordered ? 1 : endpoint.max_in_flight) - count);
      const flow = flowOf(flows, id);
      const rateLimit = fromJson<RateLimitPolicy>(endpoint.rate_limit);
      const plan = planClaim({ rateLimit, flow, inFlight: count, now });
      turns.set(id, { endpoint, plan, flow, room, cap: Math.min(room, plan.slots) });
    }
    return turns;
  }

  /**
   * The due rows to lease: slots go to endpoints in due order (the first due
   * first) as far as the claim's limit goes. An endpoint with fewer due rows
   * than its slots hands the rest on, in a second pass (at most three).
   */
  private async takeDueRows(client: Queryable, turns: Map<string, Turn>, limit: number, now: number) {
    const dueRows: DueRow[] = [];
    const taken = new Map<string, number>();
    const exhausted = new Set<string>();
    let budget = limit;
    for (let pass = 0; pass < 3 && budget > 0; pass++) {
      const ask: { turn: Turn; n: number }[] = [];
      for (const [id, turn] of turns) {
        if (budget <= 0) break;
        const n = Math.min(turn.cap - (taken.get(id) ?? 0), budget);
        if (n <= 0 || exhausted.has(id)) continue;
        ask.push({ turn, n });
        budget -= n;
      }
      if (ask.length === 0) break;
      const { rows } = await client.query<DueRow>(DUE_ROWS_SQL, [
        ask.map((a) => a.turn.endpoint.endpoint_id),
        ask.map((a) => a.n),
        ask.map((a) => a.turn.endpoint.ordered),
        now,
        dueRows.map((r) => r.id),
      ]);
      const got = new Map<string, number>();
      for (const row of rows) {
        got.set(row.endpoint_id, (got.get(row.endpoint_id) ?? 0) + 1);
        dueRows.push(row);
      }
      for (const { turn, n } of ask) {
        const id = turn.endpoint.endpoint_id;
        const k = got.get(id) ?? 0;
        taken.set(id, (taken.get(id) ?? 0) + k);
        // Fewer than asked: it has nothing more due now (an ordered endpoint never has a second).
        if (k < n || turn.endpoint.ordered) exhausted.add(id);
        budget += n - k;
      }
    }
    return { dueRows, taken };
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
