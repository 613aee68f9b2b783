/**
 * The claim: the hottest query in Herald. One IMMEDIATE transaction takes the
 * write lock first, so concurrent workers (in this process or others sharing
 * the file) never claim the same row twice.
 */
import { type ClaimPlan, type FlowState, planClaim } from '../../domain/circuit.ts';
import type { RateLimitPolicy } from '../../domain/types.ts';
import { type ClaimEventRow, claimedDelivery, type LeasedRow, turnState } from '../claim-rows.ts';
import type { ClaimedDelivery, ClaimRequest } from '../port.ts';
import { type Db, fromJson, jsonList, type Statement } from './db.ts';
import { SqliteFlow } from './flow.ts';
import { SqliteParked, UNPARK_CHUNK } from './parked.ts';
import { NEXT_DUE_SQL } from './queue-head.ts';

/** An endpoint whose queue head says work may be due, with what the claim needs to know of it. */
interface HeadRow {
  endpoint_id: string;
  due_at: number;
  /** null when the endpoint was deleted while an event for it was being stored. */
  status: string | null;
  max_in_flight: number | null;
  timeout_ms: number;
  rate_limit: string | null;
  ordered: number | null;
  batching: number | null;
}

type DueRow = LeasedRow & { next_attempt_at: number | null };

interface Taken {
  row: DueRow;
  endpointId: string;
  leaseExpiresAt: number;
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

/** Queue heads read per query; the claim reads more only while it has room left. */
const HEAD_CHUNK = 64;

/**
 * Endpoints whose queue head is due, in due order (ties by id), after a
 * keyset cursor. The heads are a few small rows, one per endpoint with work.
 */
export const CLAIM_HEADS_SQL = `
  SELECT q.endpoint_id, q.due_at, p.status, p.max_in_flight, p.timeout_ms, p.rate_limit, p.ordered,
    p.batch IS NOT NULL AS batching
  FROM endpoint_queue AS q INDEXED BY endpoint_queue_due
  LEFT JOIN endpoints AS p ON p.id = q.endpoint_id
  WHERE q.due_at IS NOT NULL AND q.due_at <= @now
    AND (q.due_at > @afterDue OR (q.due_at = @afterDue AND q.endpoint_id > @afterId))
  ORDER BY q.due_at, q.endpoint_id
  LIMIT @limit`;

/**
 * One endpoint's due deliveries, oldest due first: a range of its own index,
 * so the claim reads exactly the rows it leases. Events (with their payloads)
 * are read afterwards, only for the rows leased.
 */
export const CLAIM_DUE_SQL = `
  SELECT id, tenant_id, event_id, attempts, next_trigger, next_attempt_at
  FROM deliveries INDEXED BY deliveries_endpoint_due
  WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
  ORDER BY next_attempt_at
  LIMIT ?`;

export class SqliteClaim {
  private readonly inFlightCounts: Statement;
  private readonly heads: Statement;
  private readonly due: Statement;
  private readonly nextDue: Statement;
  private readonly oldestUnfinished: Statement;
  private readonly setHead: Statement;
  private readonly dropHead: Statement;
  private readonly eventsById: Statement;
  private readonly lease: Statement;
  private readonly parkDue: Statement;
  private readonly cancelPending: Statement;
  private readonly flow: SqliteFlow;
  private readonly parked: SqliteParked;
  private readonly claimTx: { immediate(req: ClaimRequest): ClaimedDelivery[] };

  constructor(db: Db) {
    // Walks the deliveries_in_flight partial index: only rows in flight.
    this.inFlightCounts = db
      .prepare(
        `SELECT endpoint_id, count(*) AS n FROM deliveries
         WHERE status = 'in_flight' AND lease_expires_at > ? GROUP BY endpoint_id`,
      )
      .raw();
    this.heads = db.prepare(CLAIM_HEADS_SQL);
    this.due = db.prepare(CLAIM_DUE_SQL);
    this.nextDue = db.prepare(NEXT_DUE_SQL).pluck();
    this.oldestUnfinished = db.prepare(
      `SELECT id, tenant_id, event_id, attempts, next_trigger, status, next_attempt_at
       FROM deliveries INDEXED BY deliveries_unfinished
       WHERE endpoint_id = ? AND status IN ('pending', 'in_flight') ORDER BY id LIMIT 1`,
    );
    this.setHead = db.prepare('UPDATE endpoint_queue SET due_at = ? WHERE endpoint_id = ?');
    this.dropHead = db.prepare('DELETE FROM endpoint_queue WHERE endpoint_id = ?');
    this.eventsById = db.prepare(
      `SELECT id, type, version, resource, payload, created_at AS event_created_at FROM events
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
    this.lease = db.prepare(
      `UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?,
         attempts = attempts + 1, next_attempt_at = NULL, updated_at = ?
       WHERE id = ?`,
    );
    // Parked: pending with no due time, until the endpoint is active again.
    this.parkDue = db.prepare(
      `UPDATE deliveries SET next_attempt_at = NULL, updated_at = @now
       WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at IS NOT NULL
         AND next_attempt_at <= @now`,
    );
    // Its endpoint was deleted after the event was matched: cancelled, as deleteEndpoint would have.
    this.cancelPending = db.prepare(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = @now, updated_at = @now
       WHERE endpoint_id = @endpointId AND status = 'pending'`,
    );
    this.flow = new SqliteFlow(db);
    this.parked = new SqliteParked(db);
    this.claimTx = db.transaction((req: ClaimRequest) => this.claimInTransaction(req));
  }

  claimDeliveries(req: ClaimRequest): ClaimedDelivery[] {
    return req.limit > 0 ? this.claimTx.immediate(req) : [];
  }

  /**
   * The claim's statements, for a caller that already holds the write
   * transaction. Walks the endpoints whose queue head is due, in due order;
   * each one with room gets a lease on exactly as many of its due deliveries
   * as it has room for (maxInFlight, rate limit, circuit, ordering), and its
   * head moves to its next due time. Full endpoints are passed over without
   * reading their deliveries.
   */
  claimInTransaction({ owner, limit, leaseMs, now }: ClaimRequest): ClaimedDelivery[] {
    if (limit <= 0) return [];
    const inFlight = new Map<string, number>();
    for (const [endpointId, n] of this.inFlightCounts.all(now) as [string, number][])
      inFlight.set(endpointId, n);

    const taken: Taken[] = [];
    const visited = new Set<string>();
    let cursor = { afterDue: Number.NEGATIVE_INFINITY, afterId: '' };
    while (taken.length < limit) {
      const heads = this.heads.all({ now, ...cursor, limit: HEAD_CHUNK }) as HeadRow[];
      for (const head of heads) {
        if (taken.length >= limit) break;
        if (visited.has(head.endpoint_id)) continue;
        visited.add(head.endpoint_id);
        this.claimFromEndpoint(head, inFlight.get(head.endpoint_id) ?? 0, limit - taken.length, {
          owner,
          leaseMs,
          now,
          taken,
        });
      }
      if (heads.length < HEAD_CHUNK) break;
      const last = heads[heads.length - 1]!;
      cursor = { afterDue: last.due_at, afterId: last.endpoint_id };
    }
    return this.withEvents(taken);
  }

  private claimFromEndpoint(
    head: HeadRow,
    inFlight: number,
    budget: number,
    ctx: { owner: string; leaseMs: number; now: number; taken: Taken[] },
  ): void {
    const { now } = ctx;
    const endpointId = head.endpoint_id;
    if (head.status === null || head.max_in_flight === null) {
      this.cancelPending.run({ endpointId, now });
      this.dropHead.run(endpointId);
      return;
    }
    // Batching endpoints are claimed as batches; the batch claim moves their heads (batches.ts).
    if (head.batching) return;
    if (head.status !== 'active') {
      this.parkDue.run({ endpointId, now });
      this.moveHead(head, null);
      return;
    }
    const room = (head.ordered ? 1 : head.max_in_flight) - inFlight;
    // Full: its deliveries stay due and its head where it is, for the claim after a slot frees.
    if (room <= 0) return;
    const rateLimit = fromJson<RateLimitPolicy>(head.rate_limit);
    const flow = this.flow.state(endpointId);
    const plan = planClaim({ rateLimit, flow, inFlight, now });
    const slots = Math.min(room, plan.slots, budget);
    const { rows, waitUntil } =
      slots <= 0 ? { rows: [], waitUntil: null } : this.dueOrUnparked(head, slots, now);
    for (const row of rows) {
      // The lease outlasts this endpoint's request timeout, so it never ends mid-request.
      const leaseExpiresAt = now + head.timeout_ms + ctx.leaseMs;
      this.lease.run(ctx.owner, leaseExpiresAt, now, row.id);
      ctx.taken.push({ row, endpointId, leaseExpiresAt });
    }
    this.saveTurn(endpointId, plan, flow, rows.length, now);
    // Held back by flow control (rate limit, open circuit, probe): look again when it may send.
    const heldBackUntil = plan.slots < Math.min(room, budget) ? plan.retryAt(0, rows.length) : null;
    this.moveHead(head, maxOf(heldBackUntil, waitUntil), now);
  }

  /**
   * The due rows, after making parked ones due first when they are older
   * than what is due or too few are due: an endpoint activated with a backlog
   * has it made due a chunk at a time (parked.ts), and its head stays due
   * while any of it is parked (moveHead).
   */
  private dueOrUnparked(
    head: HeadRow,
    slots: number,
    now: number,
  ): { rows: DueRow[]; waitUntil: number | null } {
    const due = this.dueRows(head, slots, now);
    const parkedSince = this.parked.oldest(head.endpoint_id);
    if (parkedSince === null) return due;
    if (head.ordered) {
      if (due.rows.length > 0 || due.waitUntil !== null) return due;
    } else {
      const first = due.rows[0]?.next_attempt_at;
      if (due.rows.length === slots && first != null && first <= parkedSince) return due;
    }
    this.parked.unpark(head.endpoint_id, now, slots + UNPARK_CHUNK);
    return this.dueRows(head, slots, now);
  }

  /**
   * Ordered endpoints send only their oldest unfinished delivery, and only
   * when it is due; until then (`waitUntil`) the endpoint has nothing to send.
   */
  private dueRows(head: HeadRow, slots: number, now: number): { rows: DueRow[]; waitUntil: number | null } {
    if (!head.ordered)
      return { rows: this.due.all(head.endpoint_id, now, slots) as DueRow[], waitUntil: null };
    const oldest = this.oldestUnfinished.get(head.endpoint_id) as
      | (DueRow & { status: string; next_attempt_at: number | null })
      | undefined;
    if (oldest?.status !== 'pending' || oldest.next_attempt_at === null) return { rows: [], waitUntil: null };
    if (oldest.next_attempt_at > now) return { rows: [], waitUntil: oldest.next_attempt_at };
    return { rows: [oldest], waitUntil: null };
  }

  /**
   * Sets the head to the endpoint's next due time, read from its index (null:
   * nothing due), but not before `notBefore`. Unchanged heads are not written.
   * `now` is given for an active endpoint only.
   */
  private moveHead(head: HeadRow, notBefore: number | null, now?: number): void {
    let next = this.nextDue.get(head.endpoint_id) as number | null;
    // Nothing due but a parked backlog still to resume (an active endpoint): look again now.
    if (next === null && now !== undefined && this.parked.oldest(head.endpoint_id) !== null) next = now;
    if (next !== null && notBefore !== null) next = Math.max(next, notBefore);
    if (next !== head.due_at) this.setHead.run(next, head.endpoint_id);
  }

  /** Spends the tokens taken and marks a probe's circuit half-open, in the claim's transaction. */
  private saveTurn(endpointId: string, plan: ClaimPlan, flow: FlowState, taken: number, now: number): void {
    const next = turnState(plan, flow, taken, now);
    if (next) this.flow.saveState(endpointId, next);
  }

  private withEvents(taken: Taken[]): ClaimedDelivery[] {
    if (taken.length === 0) return [];
    const events = new Map<string, ClaimEventRow>();
    for (const e of this.eventsById.all(jsonList(taken.map((t) => t.row.event_id))) as ClaimEventRow[]) {
      events.set(e.id, e);
    }
    // The event row cannot be missing: deliveries reference it and are deleted with it.
    return taken.map(({ row, endpointId, leaseExpiresAt }) =>
      claimedDelivery(row, endpointId, events.get(row.event_id)!, leaseExpiresAt),
    );
  }
}
