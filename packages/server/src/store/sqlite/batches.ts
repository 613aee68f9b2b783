/**
 * Batching on SQLite: gathering deliveries of batching endpoints into
 * batches, leasing them, and completing a batch as one unit. Every claim is
 * one IMMEDIATE transaction (the write lock first), so workers sharing the
 * file never put one delivery into two batches.
 */
import { DEFAULT_FLOW_POLICY, type FlowPolicy, type FlowTransition } from '../../domain/circuit.ts';
import { newId } from '../../domain/ids.ts';
import type { Attempt, BatchPolicy } from '../../domain/types.ts';
import { batchTurn, heldBackUntil, planBatchCompletion } from '../batch-flow.ts';
import { BATCH_COLUMNS, type BatchingRow, claimedBatch, type MemberRow } from '../batch-rows.ts';
import { outcomeColumns, turnState } from '../claim-rows.ts';
import { endpointIdsOf } from '../completion-flow.ts';
import type { BatchAttemptInfo, ClaimedBatch, ClaimRequest, CompletedBatch } from '../port.ts';
import { type Db, fromJson, jsonList, type Statement } from './db.ts';
import { SqliteFlow } from './flow.ts';
import { SYNC_HEAD_SQL } from './queue-head.ts';
import { attemptParams, INSERT_ATTEMPT_SQL } from './rows.ts';

/**
 * Batching endpoints with work: a delivery due (a retry, an unparked one) or
 * waiting to be gathered, or a batch whose lease ended (its worker died).
 */
const WORK_SQL = `
  SELECT ${BATCH_COLUMNS.endpoint}
  FROM endpoints AS p INDEXED BY endpoints_batched
  WHERE p.batch IS NOT NULL AND (
    EXISTS (SELECT 1 FROM deliveries AS d WHERE d.endpoint_id = p.id AND d.status = 'pending'
      AND d.next_attempt_at IS NOT NULL AND (d.batch_id IS NULL OR d.next_attempt_at <= @now))
    OR EXISTS (SELECT 1 FROM batches AS b WHERE b.endpoint_id = p.id AND b.status = 'in_flight'
      AND b.lease_expires_at <= @now))
  ORDER BY p.id`;

export type AttemptRollup = { record(attempts: readonly Attempt[]): void };

export class SqliteBatches {
  private readonly work: Statement;
  private readonly inFlight: Statement;
  private readonly dueBatches: Statement;
  private readonly unbatched: Statement;
  private readonly members: Statement;
  private readonly insertBatch: Statement;
  private readonly link: Statement;
  private readonly leaseBatch: Statement;
  private readonly leaseMembers: Statement;
  private readonly park: Statement;
  private readonly wait: Statement;
  private readonly unlinkFinished: Statement;
  private readonly insertAttempt: Statement;
  private readonly tagAttempt: Statement;
  private readonly finishBatch: Statement;
  private readonly finishMembers: Statement;
  private readonly disable: Statement;
  private readonly releaseBatch: Statement;
  private readonly releaseMembers: Statement;
  private readonly attemptInfo: Statement;
  private readonly unfinished: Statement;
  private readonly holdBack: Statement;
  private readonly syncHead: Statement;
  private readonly flow: SqliteFlow;
  /** Circuit and auto-disable thresholds (configureFlow), as for single deliveries. */
  flowPolicy: FlowPolicy = DEFAULT_FLOW_POLICY;
  private readonly claimTx: { immediate(req: ClaimRequest): ClaimedBatch[] };
  private readonly completeTx: (results: CompletedBatch[], now: number) => FlowTransition[];
  private readonly releaseTx: (owner: string, ids: string[], now: number) => void;

  constructor(
    db: Db,
    private readonly rollup?: AttemptRollup,
  ) {
    this.work = db.prepare(WORK_SQL);
    this.inFlight = db
      .prepare(
        `SELECT count(*) FROM batches
         WHERE endpoint_id = ? AND status = 'in_flight' AND lease_expires_at > ?`,
      )
      .pluck();
    this.dueBatches = db.prepare(
      `SELECT b.id, b.attempts FROM batches AS b
       WHERE b.endpoint_id = @endpointId AND (
         (b.status = 'in_flight' AND b.lease_expires_at <= @now)
         OR (b.status = 'pending' AND EXISTS (SELECT 1 FROM deliveries AS d
           WHERE d.batch_id = b.id AND d.status = 'pending' AND d.next_attempt_at <= @now)))
       ORDER BY b.id LIMIT @limit`,
    );
    this.unbatched = db.prepare(
      `SELECT ${BATCH_COLUMNS.member} FROM deliveries AS d INDEXED BY deliveries_unbatched
       JOIN events AS e ON e.id = d.event_id
       WHERE d.endpoint_id = ? AND d.status = 'pending' AND d.batch_id IS NULL AND d.next_attempt_at IS NOT NULL
       ORDER BY d.created_at, d.id LIMIT ?`,
    );
    this.members = db.prepare(
      `SELECT ${BATCH_COLUMNS.member} FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
       WHERE d.batch_id = ? AND d.status IN ('pending', 'in_flight')
       ORDER BY d.created_at, d.id`,
    );
    this.insertBatch = db.prepare(
      `INSERT INTO batches (id, tenant_id, endpoint_id, status, size, attempts, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, 0, ?, ?)`,
    );
    this.link = db.prepare('UPDATE deliveries SET batch_id = ? WHERE id = ?');
    this.leaseBatch = db.prepare(
      `UPDATE batches SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
         next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
    );
    this.leaseMembers = db.prepare(
      `UPDATE deliveries SET status = 'in_flight', lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1,
         next_attempt_at = NULL, updated_at = ?
       WHERE batch_id = ? AND status IN ('pending', 'in_flight')`,
    );
    // As the normal claim does: pending work of an endpoint that is not active waits, not due, until it is.
    this.park = db.prepare(
      `UPDATE deliveries SET next_attempt_at = NULL, updated_at = ?
       WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at IS NOT NULL`,
    );
    // Not ready yet: due when the oldest has waited maxWaitMs, so nextDueAt() tells the worker when to look again.
    this.wait = db.prepare(
      `UPDATE deliveries SET next_attempt_at = created_at + @wait
       WHERE endpoint_id = @endpointId AND status = 'pending' AND batch_id IS NULL
         AND next_attempt_at IS NOT NULL AND next_attempt_at < created_at + @wait`,
    );
    // A manual retry makes a delivery of a finished batch pending again: it is gathered anew.
    this.unlinkFinished = db.prepare(
      `UPDATE deliveries SET batch_id = NULL
       WHERE endpoint_id = @endpointId AND status = 'pending' AND batch_id IS NOT NULL
         AND next_attempt_at <= @now
         AND NOT EXISTS (SELECT 1 FROM batches AS b WHERE b.id = deliveries.batch_id
           AND b.status IN ('pending', 'in_flight'))`,
    );
    this.insertAttempt = db.prepare(`${INSERT_ATTEMPT_SQL} ON CONFLICT (id) DO NOTHING`);
    this.tagAttempt = db.prepare('UPDATE attempts SET batch_id = ?, event_ids = ? WHERE id = ?');
    // Guarded by the batch's lease, as a delivery's outcome is by its own.
    this.finishBatch = db.prepare(
      `UPDATE batches SET status = @status, next_attempt_at = @nextAttemptAt, completed_at = @completedAt,
         lease_owner = NULL, lease_expires_at = NULL, last_status_code = @code, last_error = @error,
         updated_at = @now
       WHERE id = @id AND status = 'in_flight' AND lease_owner = @owner`,
    );
    this.finishMembers = db.prepare(
      `UPDATE deliveries SET status = @status, next_attempt_at = @nextAttemptAt, completed_at = @completedAt,
         lease_owner = NULL, lease_expires_at = NULL, last_status_code = @code, last_error = @error,
         next_trigger = 'scheduled', updated_at = @now
       WHERE batch_id = @id AND status IN ('pending', 'in_flight')`,
    );
    this.disable = db.prepare(
      `UPDATE endpoints SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ?`,
    );
    this.releaseBatch = db.prepare(
      `UPDATE batches SET status = 'pending', attempts = max(attempts - 1, 0), lease_owner = NULL,
         lease_expires_at = NULL, updated_at = @now
       WHERE id = @id AND status = 'in_flight' AND lease_owner = @owner`,
    );
    this.releaseMembers = db.prepare(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = @now, attempts = max(attempts - 1, 0),
         lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
       WHERE batch_id = @id AND status IN ('pending', 'in_flight')`,
    );
    this.attemptInfo = db
      .prepare(
        `SELECT id, batch_id, event_ids FROM attempts
         WHERE id IN (SELECT value FROM json_each(?)) AND batch_id IS NOT NULL`,
      )
      .raw();

    this.flow = new SqliteFlow(db);
    // An ordered endpoint forms no new batch while an older one is unfinished.
    this.unfinished = db
      .prepare(`SELECT count(*) FROM batches WHERE endpoint_id = ? AND status IN ('pending', 'in_flight')`)
      .pluck();
    // Held back by flow control (open circuit, rate limit): due again when a batch may go, so idle
    // workers do not look again and again meanwhile.
    this.syncHead = db.prepare(SYNC_HEAD_SQL);
    this.holdBack = db.prepare(
      `UPDATE deliveries SET next_attempt_at = @at, updated_at = @now
       WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at IS NOT NULL
         AND next_attempt_at < @at`,
    );
    this.claimTx = db.transaction((req: ClaimRequest) => this.claimInTx(req));
    this.completeTx = db.transaction((results: CompletedBatch[], now: number) =>
      this.completeInTx(results, now),
    );
    this.releaseTx = db.transaction((owner: string, ids: string[], now: number) => {
      for (const id of ids) {
        if (this.releaseBatch.run({ id, owner, now }).changes > 0) this.releaseMembers.run({ id, now });
      }
    });
  }

  claimBatches(req: ClaimRequest): ClaimedBatch[] {
    if (req.limit <= 0) return [];
    return this.claimTx.immediate(req);
  }

  completeBatches(results: CompletedBatch[], now: number): FlowTransition[] {
    return results.length > 0 ? this.completeTx(results, now) : [];
  }

  releaseBatches(owner: string, ids: string[], now: number): void {
    if (ids.length > 0) this.releaseTx(owner, ids, now);
  }

  /** The batch id and carried events of those of `ids` that sent a batch. */
  attemptBatchInfo(ids: string[]): Map<string, BatchAttemptInfo> {
    const out = new Map<string, BatchAttemptInfo>();
    if (ids.length === 0) return out;
    for (const [id, batchId, eventIds] of this.attemptInfo.all(jsonList(ids)) as [
      string,
      string,
      string | null,
    ][]) {
      out.set(id, { batchId, eventIds: fromJson<string[]>(eventIds) ?? [] });
    }
    return out;
  }

  private claimInTx({ owner, limit, leaseMs, now }: ClaimRequest): ClaimedBatch[] {
    const claimed: ClaimedBatch[] = [];
    for (const ep of this.work.all({ now }) as BatchingRow[]) {
      if (claimed.length >= limit) break;
      if (ep.status !== 'active') {
        this.park.run(now, ep.id);
        this.syncHead.run({ endpointId: ep.id });
        continue;
      }
      const policy = fromJson<BatchPolicy>(ep.batch);
      if (!policy) continue;
      this.unlinkFinished.run({ endpointId: ep.id, now });
      const inFlight = this.inFlight.get(ep.id, now) as number;
      const flow = this.flow.state(ep.id);
      const turn = batchTurn(ep, flow, inFlight, now);
      let slots = Math.min(turn.allowed, limit - claimed.length);
      const leaseExpiresAt = now + ep.timeout_ms + leaseMs;
      const lease = (batchId: string, attempts: number, rows: MemberRow[]) => {
        this.leaseBatch.run(owner, leaseExpiresAt, now, batchId);
        this.leaseMembers.run(owner, leaseExpiresAt, now, batchId);
        claimed.push(claimedBatch(batchId, ep, attempts + 1, leaseExpiresAt, rows));
        slots -= 1;
      };

      // Retries (and batches whose worker died) first: they are older than anything still gathering.
      if (slots > 0) {
        for (const b of this.dueBatches.all({ endpointId: ep.id, now, limit: ep.ordered ? 1 : slots }) as {
          id: string;
          attempts: number;
        }[]) {
          lease(b.id, b.attempts, this.members.all(b.id) as MemberRow[]);
        }
      }
      while (slots > 0 && !(ep.ordered && (this.unfinished.get(ep.id) as number) > 0)) {
        const rows = this.unbatched.all(ep.id, policy.maxSize) as MemberRow[];
        const oldest = rows[0];
        if (!oldest) break;
        if (rows.length < policy.maxSize && oldest.created_at + policy.maxWaitMs > now) break;
        const batchId = newId('msg', now);
        this.insertBatch.run(batchId, ep.tenant_id, ep.id, rows.length, now, now);
        for (const r of rows) this.link.run(batchId, r.id);
        lease(batchId, 0, rows);
      }
      this.wait.run({ endpointId: ep.id, wait: policy.maxWaitMs });
      const taken = turn.allowed - slots;
      // Spends a token per batch taken and marks a probe's circuit half-open, as the single claim does.
      const next = turnState(turn.plan, flow, taken, now);
      if (next) this.flow.saveState(ep.id, next);
      const at = heldBackUntil(turn, taken);
      if (at !== null) this.holdBack.run({ endpointId: ep.id, at, now });
      this.syncHead.run({ endpointId: ep.id });
    }
    return claimed;
  }

  private completeInTx(results: CompletedBatch[], now: number): FlowTransition[] {
    // Read before this completion's 410s are applied, so each is reported once, as a transition.
    const ids = endpointIdsOf(results);
    const statuses = this.flow.endpointStatuses(ids);
    for (const r of results) {
      this.insertAttempt.run(...attemptParams(r.attempt));
      this.tagAttempt.run(r.batchId, JSON.stringify(r.eventIds), r.attempt.id);
    }
    this.rollup?.record(results.map((r) => r.attempt));
    for (const { batchId, owner, outcome, attempt, disableEndpoint } of results) {
      const params = { id: batchId, owner, ...outcomeColumns(outcome, attempt, now), now };
      if (this.finishBatch.run(params).changes > 0) this.finishMembers.run(params);
      // The response happened whoever holds the lease now, so the endpoint is disabled regardless.
      if (disableEndpoint && attempt.endpointId)
        this.disable.run(disableEndpoint.reason, now, attempt.endpointId);
    }
    // Only batches with an endpoint move a circuit.
    if (ids.length === 0) return [];
    const plan = planBatchCompletion(results, this.flow.states(ids), statuses, this.flowPolicy, now);
    return this.flow.applyPlan(plan, now);
  }
}
