/**
 * Batching on PostgreSQL: gathering deliveries of batching endpoints into
 * batches, leasing them, and completing a batch as one unit. A claimer first
 * locks the endpoint rows it works on (`FOR NO KEY UPDATE SKIP LOCKED`, in id
 * order): everything that forms or re-claims that endpoint's batches happens
 * under that lock, so two workers never form overlapping batches and never
 * wait on each other (one skips the endpoint the other is working on).
 */
import {
  type ClaimPlan,
  type CompletionFact,
  DEFAULT_FLOW_POLICY,
  type FlowPolicy,
  type FlowState,
  type FlowTransition,
  planClaim,
  planCompletion,
} from '../../domain/circuit.ts';
import { newId } from '../../domain/ids.ts';
import type { AttemptTrigger, BatchPolicy, RateLimitPolicy } from '../../domain/types.ts';
import { batchFact, batchSlots } from '../batch-flow.ts';
import type {
  BatchAttemptInfo,
  ClaimedBatch,
  ClaimedDelivery,
  ClaimRequest,
  CompletedBatch,
} from '../port.ts';
import { fromJson, type Pool, type Queryable, withTx } from './db.ts';
import { flowOf, loadFlowStates, saveFlowStates } from './flow.ts';
import { recordRollup } from './ops/rollup.ts';
import { attemptColumns, INSERT_ATTEMPTS_SQL } from './rows.ts';

interface EndpointRow {
  id: string;
  tenant_id: string;
  status: string;
  batch: string;
  max_in_flight: number;
  timeout_ms: number;
  rate_limit: string | null;
  ordered: boolean | null;
}

interface MemberRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  next_trigger: string;
  created_at: number;
  type: string;
  version: number;
  resource: string | null;
  payload: string;
  event_created_at: number;
}

/**
 * Batching endpoints with work (a delivery due or waiting to be gathered, or
 * a batch whose lease ended), locked; endpoints another claimer holds are skipped.
 */
const WORK_SQL = `
  SELECT p.id, p.tenant_id, p.status, p.batch, p.max_in_flight, p.timeout_ms, p.rate_limit, p.ordered
  FROM endpoints AS p
  WHERE p.batch IS NOT NULL AND (
    EXISTS (SELECT 1 FROM deliveries AS d WHERE d.endpoint_id = p.id AND d.status = 'pending'
      AND d.next_attempt_at IS NOT NULL AND (d.batch_id IS NULL OR d.next_attempt_at <= $1))
    OR EXISTS (SELECT 1 FROM batches AS b WHERE b.endpoint_id = p.id AND b.status = 'in_flight'
      AND b.lease_expires_at <= $1))
  ORDER BY p.id
  FOR NO KEY UPDATE OF p SKIP LOCKED`;

const MEMBER_COLUMNS = `d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger, d.created_at,
  e.type, e.version, e.resource, e.payload, e.created_at AS event_created_at`;

const DUE_BATCHES_SQL = `
  SELECT b.id, b.attempts FROM batches AS b
  WHERE b.endpoint_id = $1 AND (
    (b.status = 'in_flight' AND b.lease_expires_at <= $2)
    OR (b.status = 'pending' AND EXISTS (SELECT 1 FROM deliveries AS d
      WHERE d.batch_id = b.id AND d.status = 'pending' AND d.next_attempt_at <= $2)))
  ORDER BY b.id LIMIT $3
  FOR UPDATE OF b SKIP LOCKED`;

const UNBATCHED_SQL = `
  SELECT ${MEMBER_COLUMNS} FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
  WHERE d.endpoint_id = $1 AND d.status = 'pending' AND d.batch_id IS NULL AND d.next_attempt_at IS NOT NULL
  ORDER BY d.created_at, d.id LIMIT $2
  FOR UPDATE OF d SKIP LOCKED`;

const MEMBERS_SQL = `
  SELECT ${MEMBER_COLUMNS} FROM deliveries AS d JOIN events AS e ON e.id = d.event_id
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
    return withTx(this.pool, (client) => this.claimInTx(client, req));
  }

  async completeBatches(results: CompletedBatch[], now: number): Promise<FlowTransition[]> {
    if (results.length === 0) return [];
    return withTx(this.pool, async (client) => {
      // Endpoint locks first, in id order as the claims take them; their status is read before
      // this completion's 410s are applied, so each is reported once, as a transition.
      const ids = [...new Set(results.map((r) => r.attempt.endpointId).filter((id) => id !== null))];
      const { rows: locked } = await client.query<{ id: string; status: string }>(
        'SELECT id, status FROM endpoints WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE',
        [ids],
      );
      const statuses = new Map(locked.map((r) => [r.id, r.status]));
      // A retried write of the same results must not fail on attempts it already stored.
      await client.query(
        `${INSERT_ATTEMPTS_SQL} ON CONFLICT (id) DO NOTHING`,
        attemptColumns(results.map((r) => r.attempt)),
      );
      // Stats count a batch's request once, like any attempt.
      await recordRollup(
        client,
        results.map((r) => r.attempt),
      );
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
        const nextAt = outcome.status === 'pending' ? outcome.nextAttemptAt : null;
        const completedAt = outcome.status === 'pending' ? null : now;
        const code = attempt.responseStatus;
        const error = attempt.error?.message ?? null;
        const finished = await client.query(FINISH_BATCH_SQL, [
          batchId,
          owner,
          outcome.status,
          nextAt,
          completedAt,
          code,
          error,
          now,
        ]);
        if ((finished.rowCount ?? 0) > 0) {
          await client.query(FINISH_MEMBERS_SQL, [
            batchId,
            outcome.status,
            nextAt,
            completedAt,
            code,
            error,
            now,
          ]);
        }
        // The response happened whoever holds the lease now, so the endpoint is disabled regardless.
        if (disableEndpoint && attempt.endpointId) {
          await client.query(
            `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2 WHERE id = $3`,
            [disableEndpoint.reason, now, attempt.endpointId],
          );
        }
      }
      const facts = results.map(batchFact).filter((f): f is CompletionFact => f !== null);
      if (facts.length === 0) return [];
      const plan = planCompletion(facts, await loadFlowStates(client, ids), statuses, this.flowPolicy, now);
      await saveFlowStates(client, plan.states);
      for (const [id, reason] of plan.disables) {
        await client.query(
          `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2
           WHERE id = $3 AND status <> 'disabled'`,
          [reason, now, id],
        );
      }
      return plan.transitions;
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
    const endpoints = (await client.query<EndpointRow>(WORK_SQL, [now])).rows;
    for (const ep of endpoints) {
      if (claimed.length >= limit) break;
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
      const rateLimit = fromJson<RateLimitPolicy>(ep.rate_limit);
      const plan = planClaim({ rateLimit, flow, inFlight, now });
      const ordered = Boolean(ep.ordered);
      const allowed = batchSlots(plan, ep.max_in_flight - inFlight, inFlight, ordered);
      let slots = Math.min(allowed, limit - claimed.length);
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
        claimed.push(toClaimed(batchId, ep, attempts + 1, leaseExpiresAt, rows));
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
      const taken = allowed - slots;
      await this.saveTurn(client, ep.id, flow, plan, taken, now);
      if (allowed < ep.max_in_flight - inFlight && taken >= plan.slots) {
        const at = plan.retryAt(0, taken);
        // Held back by flow control (open circuit, rate limit): due again when a batch may go.
        if (at !== null) {
          await client.query(
            `UPDATE deliveries SET next_attempt_at = $2, updated_at = $3
             WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at IS NOT NULL
               AND next_attempt_at < $2`,
            [ep.id, at, now],
          );
        }
      }
    }
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

  /** Spends a token per batch taken and marks a probe's circuit half-open, as the single claim does. */
  private async saveTurn(
    client: Queryable,
    endpointId: string,
    flow: FlowState,
    plan: ClaimPlan,
    taken: number,
    now: number,
  ): Promise<void> {
    let next: FlowState | null = null;
    if (plan.probe && taken > 0) next = { ...flow, circuit: 'half_open' };
    else if (plan.tokens !== null && (taken > 0 || flow.tokens === null))
      next = { ...flow, tokens: plan.tokens - taken, refilledAt: now };
    if (next) await saveFlowStates(client, new Map([[endpointId, next]]));
  }
}

function toClaimed(
  id: string,
  ep: EndpointRow,
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
    deliveries: rows.map(
      (r): ClaimedDelivery => ({
        id: r.id,
        tenantId: r.tenant_id,
        endpointId: r.endpoint_id,
        eventId: r.event_id,
        attemptNumber: r.attempts + 1,
        trigger: r.next_trigger as AttemptTrigger,
        eventType: r.type,
        eventVersion: r.version,
        resource: r.resource,
        payload: r.payload,
        eventCreatedAt: r.event_created_at,
        leaseExpiresAt,
      }),
    ),
  };
}
