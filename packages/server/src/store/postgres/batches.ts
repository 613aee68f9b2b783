/**
 * Batching on PostgreSQL: gathering deliveries of batching endpoints into
 * batches, leasing them, and completing a batch as one unit. A claimer first
 * locks the endpoint rows it works on (`FOR NO KEY UPDATE SKIP LOCKED`, in id
 * order): everything that forms or re-claims that endpoint's batches happens
 * under that lock, so two workers never form overlapping batches and never
 * wait on each other (one skips the endpoint the other is working on).
 */
import { DEFAULT_FLOW_POLICY, type FlowPolicy, type FlowTransition } from '../../domain/circuit.ts';
import { newId } from '../../domain/ids.ts';
import type { BatchPolicy } from '../../domain/types.ts';
import { batchTurn, heldBackUntil, planBatchCompletion } from '../batch-flow.ts';
import { BATCH_COLUMNS, type BatchingRow, claimedBatch, type MemberRow } from '../batch-rows.ts';
import { outcomeColumns, turnState } from '../claim-rows.ts';
import type { BatchAttemptInfo, ClaimedBatch, ClaimRequest, CompletedBatch } from '../port.ts';
import { MOVE_HEADS_SQL } from './claim-sql.ts';
import { fromJson, type Pool, type Queryable, withTx } from './db.ts';
import { applyPlan, flowOf, loadFlowStates, saveFlowStates } from './flow.ts';
import { startCompletion } from './rows.ts';

/**
 * Batching endpoints with work (a delivery due or waiting to be gathered, or
 * a batch whose lease ended), locked; endpoints another claimer holds are skipped.
 */
const HAS_WORK = `p.batch IS NOT NULL AND (
    EXISTS (SELECT 1 FROM deliveries AS d WHERE d.endpoint_id = p.id AND d.status = 'pending'
      AND d.next_attempt_at IS NOT NULL AND (d.batch_id IS NULL OR d.next_attempt_at <= $1))
    OR EXISTS (SELECT 1 FROM batches AS b WHERE b.endpoint_id = p.id AND b.status = 'in_flight'
      AND b.lease_expires_at <= $1))`;

const WORK_SQL = `
  SELECT ${BATCH_COLUMNS.endpoint} FROM endpoints AS p WHERE ${HAS_WORK}
  ORDER BY p.id
  FOR NO KEY UPDATE OF p SKIP LOCKED`;

/** The same question without locks or a transaction: most rounds of most installations find no batch work. */
const ANY_WORK_SQL = `SELECT 1 FROM endpoints AS p WHERE ${HAS_WORK} LIMIT 1`;

const DUE_BATCHES_SQL = `
  SELECT b.id, b.attempts FROM batches AS b
  WHERE b.endpoint_id = $1 AND (
    (b.status = 'in_flight' AND b.lease_expires_at <= $2)
    OR (b.status = 'pending' AND EXISTS (SELECT 1 FROM deliveries AS d
      WHERE d.batch_id = b.id AND d.status = 'pending' AND d.next_attempt_at <= $2)))
  ORDER BY b.id LIMIT $3
  FOR UPDATE OF b SKIP LOCKED`;

const UNBATCHED_SQL = `
  SELECT ${BATCH_COLUMNS.member} FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
  WHERE d.endpoint_id = $1 AND d.status = 'pending' AND d.batch_id IS NULL AND d.next_attempt_at IS NOT NULL
  ORDER BY d.created_at, d.id LIMIT $2
  FOR UPDATE OF d SKIP LOCKED`;

const MEMBERS_SQL = `
  SELECT ${BATCH_COLUMNS.member} FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
  WHERE d.batch_id = $1 AND d.status IN ('pending', 'in_flight')
  ORDER BY d.created_at, d.id`;

// Guarded by the batch's lease, as a delivery's outcome is by its own.
const FINISH_BATCH_SQL = `
  UPDATE batches SET status = $3, next_attempt_at = $4, completed_at = $5, lease_owner = NULL,
    lease_expires_at = NULL, last_status_code = $6, last_error = $7, updated_at = $8
  WHERE id = $1 AND status = 'in_flight' AND lease_owner = $2`;

const FINISH_MEMBERS_SQL = `
  UPDATE deliveries SET status = $2, next_attempt_at = $3, completed_at = $4, lease_owner = NULL,
    lease_expires_at = NULL, last_status_code = $5, last_error = $6, next_trigger = 'scheduled', updated_at = $7
  WHERE batch_id = $1 AND status IN ('pending', 'in_flight')`;

export class PgBatches {
  /** Circuit and auto-disable thresholds (configureFlow), as for single deliveries. */
  flowPolicy: FlowPolicy = DEFAULT_FLOW_POLICY;

  constructor(private readonly pool: Pool) {}

  async claimBatches(req: ClaimRequest): Promise<ClaimedBatch[]> {
    if (req.limit <= 0) return [];
    if ((await this.pool.query(ANY_WORK_SQL, [req.now])).rowCount === 0) return [];
    return withTx(this.pool, (client) => this.claimInTx(client, req));
  }

  async completeBatches(results: CompletedBatch[], now: number): Promise<FlowTransition[]> {
    if (results.length === 0) return [];
    return withTx(this.pool, async (client) => {
      // Stats count a batch's request once, like any attempt.
      const { ids, statuses } = await startCompletion(client, results);
      await client.query(
        `UPDATE attempts AS a SET batch_id = v.batch_id, event_ids = v.event_ids
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, batch_id, event_ids) WHERE a.id = v.id`,
        [
          results.map((r) => r.attempt.id),
          results.map((r) => r.batchId),
          results.map((r) => JSON.stringify(r.eventIds)),
        ],
      );
      for (const { batchId, owner, outcome, attempt, disableEndpoint } of results) {
        const o = outcomeColumns(outcome, attempt, now);
        const set = [o.status, o.nextAttemptAt, o.completedAt, o.code, o.error, now];
        const finished = await client.query(FINISH_BATCH_SQL, [batchId, owner, ...set]);
        if ((finished.rowCount ?? 0) > 0) await client.query(FINISH_MEMBERS_SQL, [batchId, ...set]);
        // The response happened whoever holds the lease now, so the endpoint is disabled regardless.
        if (disableEndpoint && attempt.endpointId) {
          await client.query(
            `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2 WHERE id = $3`,
            [disableEndpoint.reason, now, attempt.endpointId],
          );
        }
      }
      // Only batches with an endpoint move a circuit.
      if (ids.length === 0) return [];
      const flows = await loadFlowStates(client, ids);
      const plan = planBatchCompletion(results, flows, statuses, this.flowPolicy, now);
      return applyPlan(client, plan, now);
    });
  }

  async releaseBatches(owner: string, ids: string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await withTx(this.pool, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE batches SET status = 'pending', attempts = greatest(attempts - 1, 0), lease_owner = NULL,
           lease_expires_at = NULL, updated_at = $1
         WHERE id = ANY($2::text[]) AND status = 'in_flight' AND lease_owner = $3
         RETURNING id`,
        [now, ids, owner],
      );
      if (rows.length === 0) return;
      await client.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, attempts = greatest(attempts - 1, 0),
           lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
         WHERE batch_id = ANY($2::text[]) AND status IN ('pending', 'in_flight')`,
        [now, rows.map((r) => r.id)],
      );
    });
  }

  /** The batch id and carried events of those of `ids` that sent a batch. */
  async attemptBatchInfo(ids: string[]): Promise<Map<string, BatchAttemptInfo>> {
    const out = new Map<string, BatchAttemptInfo>();
    if (ids.length === 0) return out;
    const { rows } = await this.pool.query<{ id: string; batch_id: string; event_ids: string | null }>(
      'SELECT id, batch_id, event_ids FROM attempts WHERE id = ANY($1::text[]) AND batch_id IS NOT NULL',
      [ids],
    );
    for (const r of rows)
      out.set(r.id, { batchId: r.batch_id, eventIds: fromJson<string[]>(r.event_ids) ?? [] });
    return out;
  }

  private async claimInTx(client: Queryable, { owner, limit, leaseMs, now }: ClaimRequest) {
    const claimed: ClaimedBatch[] = [];
    const endpoints = (await client.query<BatchingRow>(WORK_SQL, [now])).rows;
    const visited: string[] = [];
    for (const ep of endpoints) {
      if (claimed.length >= limit) break;
      visited.push(ep.id);
      if (ep.status !== 'active') {
        // As the normal claim does: pending work of an endpoint that is not active waits, not due, until it is.
        await client.query(
          `UPDATE deliveries SET next_attempt_at = NULL, updated_at = $1
           WHERE endpoint_id = $2 AND status = 'pending' AND next_attempt_at IS NOT NULL`,
          [now, ep.id],
        );
        continue;
      }
      const policy = fromJson<BatchPolicy>(ep.batch);
      if (!policy) continue;
      // A manual retry makes a delivery of a finished batch pending again: it is gathered anew.
      await client.query(
        `UPDATE deliveries AS d SET batch_id = NULL
         WHERE d.endpoint_id = $1 AND d.status = 'pending' AND d.batch_id IS NOT NULL AND d.next_attempt_at <= $2
           AND NOT EXISTS (SELECT 1 FROM batches AS b WHERE b.id = d.batch_id AND b.status IN ('pending', 'in_flight'))`,
        [ep.id, now],
      );
      // Exact under the endpoint lock: no other claimer adds to it until we commit.
      const { rows: counted } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM batches WHERE endpoint_id = $1 AND status = 'in_flight' AND lease_expires_at > $2`,
        [ep.id, now],
      );
      const inFlight = counted[0]?.n ?? 0;
      const flow = flowOf(await loadFlowStates(client, [ep.id]), ep.id);
      const turn = batchTurn(ep, flow, inFlight, now);
      const ordered = Boolean(ep.ordered);
      let slots = Math.min(turn.allowed, limit - claimed.length);
      const leaseExpiresAt = now + ep.timeout_ms + leaseMs;
      const lease = async (batchId: string, attempts: number, rows: MemberRow[]) => {
        await client.query(
          `UPDATE batches SET status = 'in_flight', lease_owner = $1, lease_expires_at = $2,
             attempts = attempts + 1, next_attempt_at = NULL, updated_at = $3 WHERE id = $4`,
          [owner, leaseExpiresAt, now, batchId],
        );
        await client.query(
          `UPDATE deliveries SET status = 'in_flight', lease_owner = $1, lease_expires_at = $2,
             attempts = attempts + 1, next_attempt_at = NULL, updated_at = $3
           WHERE batch_id = $4 AND status IN ('pending', 'in_flight')`,
          [owner, leaseExpiresAt, now, batchId],
        );
        claimed.push(claimedBatch(batchId, ep, attempts + 1, leaseExpiresAt, rows));
        slots -= 1;
      };

      // Retries (and batches whose worker died) first: they are older than anything still gathering.
      if (slots > 0) {
        const due = await client.query<{ id: string; attempts: number }>(DUE_BATCHES_SQL, [
          ep.id,
          now,
          ordered ? 1 : slots,
        ]);
        for (const b of due.rows) {
          await lease(b.id, b.attempts, (await client.query<MemberRow>(MEMBERS_SQL, [b.id])).rows);
        }
      }
      while (slots > 0 && !(ordered && (await this.unfinished(client, ep.id)))) {
        const { rows } = await client.query<MemberRow>(UNBATCHED_SQL, [ep.id, policy.maxSize]);
        const oldest = rows[0];
        if (!oldest) break;
        if (rows.length < policy.maxSize && oldest.created_at + policy.maxWaitMs > now) break;
        const batchId = newId('msg', now);
        await client.query(
          `INSERT INTO batches (id, tenant_id, endpoint_id, status, size, attempts, created_at, updated_at)
           VALUES ($1, $2, $3, 'pending', $4, 0, $5, $5)`,
          [batchId, ep.tenant_id, ep.id, rows.length, now],
        );
        await client.query('UPDATE deliveries SET batch_id = $1 WHERE id = ANY($2::text[])', [
          batchId,
          rows.map((r) => r.id),
        ]);
        await lease(batchId, 0, rows);
      }
      // Not ready yet: due when the oldest has waited maxWaitMs, so nextDueAt() tells workers when to look again.
      await client.query(
        `UPDATE deliveries SET next_attempt_at = created_at + $2
         WHERE endpoint_id = $1 AND status = 'pending' AND batch_id IS NULL
           AND next_attempt_at IS NOT NULL AND next_attempt_at < created_at + $2`,
        [ep.id, policy.maxWaitMs],
      );
      const taken = turn.allowed - slots;
      // Spends a token per batch taken and marks a probe's circuit half-open, as the single claim does.
      const next = turnState(turn.plan, flow, taken, now);
      if (next) await saveFlowStates(client, new Map([[ep.id, next]]));
      // Held back by flow control (open circuit, rate limit): due again when a batch may go.
      const at = heldBackUntil(turn, taken);
      if (at !== null) {
        await client.query(
          `UPDATE deliveries SET next_attempt_at = $2, updated_at = $3
           WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at IS NOT NULL
             AND next_attempt_at < $2`,
          [ep.id, at, now],
        );
      }
    }
    // Their queue heads, exact again (held under their lock, as the claim writes heads): so
    // nextDueAt() tells workers when a gathering batch is ready, and nothing while one is parked.
    if (visited.length > 0) await client.query(MOVE_HEADS_SQL, [[], [], visited, visited.map(() => null)]);
    return claimed;
  }

  /** An ordered endpoint forms no new batch while an older one is unfinished. */
  private async unfinished(client: Queryable, endpointId: string): Promise<boolean> {
    const { rows } = await client.query(
      `SELECT 1 FROM batches WHERE endpoint_id = $1 AND status IN ('pending', 'in_flight') LIMIT 1`,
      [endpointId],
    );
    return rows.length > 0;
  }
}
