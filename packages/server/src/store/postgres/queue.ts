/**
 * Everything that moves a delivery after its claim: completion (group
 * commit of attempts and outcomes), release, lease reclaim, manual retry.
 */
import {
  DEFAULT_FLOW_POLICY,
  type FlowPolicy,
  type FlowState,
  type FlowTransition,
} from '../../domain/circuit.ts';
import { outcomeColumns } from '../claim-rows.ts';
import { changesFlow, endpointIdsOf, planDeliveryCompletion } from '../completion-flow.ts';
import type { CompletedAttempt, RetryRequest } from '../port.ts';
import { type Pool, pushRow, type Queryable, withTx } from './db.ts';
import { applyPlan, loadFlowStates, lockEndpointStatuses, readFlowsAndStatuses } from './flow.ts';
import { recordRollup } from './ops/rollup.ts';
import { attemptColumns, insertAttemptsSql } from './rows.ts';

/**
 * One statement for a completion's attempts and its deliveries' outcomes: the
 * attempts are inserted (a retried write of the same results skips those it
 * stored), and each outcome is applied only while its lease is still held, so a
 * worker whose lease was taken over cannot overwrite the new owner's state.
 */
const COMPLETE_SQL = `
  WITH attempts_stored AS (${insertAttemptsSql(9)} ON CONFLICT (id) DO NOTHING)
  UPDATE deliveries AS d SET status = v.status, next_attempt_at = v.next_at, completed_at = v.completed_at,
    lease_owner = NULL, lease_expires_at = NULL, last_status_code = v.code, last_error = v.error,
    next_trigger = 'scheduled', updated_at = $8
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int[], $7::text[])
    AS v(id, owner, status, next_at, completed_at, code, error)
  WHERE d.id = v.id AND d.status = 'in_flight' AND d.lease_owner = v.owner
  RETURNING d.id`;

export class PgQueue {
  /** Circuit and auto-disable thresholds (configureFlow). */
  flowPolicy: FlowPolicy = DEFAULT_FLOW_POLICY;

  constructor(private readonly pool: Pool) {}

  async completeDeliveries(results: CompletedAttempt[], now: number): Promise<FlowTransition[]> {
    if (results.length === 0) return [];
    return withTx(this.pool, async (client) => {
      const transitions = await this.completeInTx(client, results, now);
      await recordRollup(
        client,
        results.map((r) => r.attempt),
      );
      return transitions;
    });
  }

  /**
   * The completion's statements, for a caller that holds the transaction, except
   * the stats rollup: the caller writes that last, just before its commit
   * (recordRollup with the same attempts). Its (endpoint, minute) rows are the
   * ones concurrent completions share, so they are held as briefly as possible.
   */
  async completeInTx(client: Queryable, results: CompletedAttempt[], now: number): Promise<FlowTransition[]> {
    if (results.length === 0) return [];
    const cols: unknown[][] = [[], [], [], [], [], [], []];
    for (const { deliveryId, owner, outcome, attempt } of results) {
      const o = outcomeColumns(outcome, attempt, now);
      pushRow(cols, [deliveryId, owner, o.status, o.nextAttemptAt, o.completedAt, o.code, o.error]);
    }
    const disables = results.filter((r) => r.disableEndpoint);
    const endpointIds = endpointIdsOf(results);
    // A failure or a 410 moves a circuit or an endpoint: its endpoints are locked
    // first (id order, as everyone takes them). All-success rounds usually change
    // neither and so take no endpoint lock at all (below).
    let statuses =
      disables.length > 0 || results.some((r) => !r.attempt.succeeded)
        ? await lockEndpointStatuses(client, endpointIds)
        : null;
    const attempts = results.map((r) => r.attempt);
    const applied = new Set(
      (
        await client.query<{ id: string }>(COMPLETE_SQL, [...cols, now, ...attemptColumns(attempts)])
      ).rows.map((r) => r.id),
    );
    // The response happened whoever holds the lease now, so the endpoint is disabled regardless.
    for (const r of disables) {
      await client.query(
        `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2
         WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = $3)`,
        [r.disableEndpoint!.reason, now, r.deliveryId],
      );
    }
    const plan = (flows: ReadonlyMap<string, FlowState>, current: ReadonlyMap<string, string>) =>
      planDeliveryCompletion(results, (r) => applied.has(r.deliveryId), flows, current, this.flowPolicy, now);
    let transitions: FlowTransition[] = [];
    // Only attempts sent to an endpoint move a circuit.
    if (endpointIds.length > 0) {
      if (statuses === null) {
        // Successes on closed, clean circuits change nothing: seen without locks, nothing
        // is written. Anything else is planned again under the endpoint locks.
        const seen = await readFlowsAndStatuses(client, endpointIds);
        if (!changesFlow(plan(seen.flows, seen.statuses), seen.flows)) return [];
        statuses = await lockEndpointStatuses(client, endpointIds);
      }
      const flows = await loadFlowStates(client, [...statuses.keys()]);
      transitions = await applyPlan(client, plan(flows, statuses), now);
    }
    return transitions;
  }

  async releaseDeliveries(owner: string, ids: string[], now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, attempts = greatest(attempts - 1, 0),
         lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
       WHERE id = ANY($2::text[]) AND status = 'in_flight' AND lease_owner = $3`,
      [now, ids, owner],
    );
  }

  async reclaimExpiredLeases(now: number): Promise<number> {
    // SKIP LOCKED: several workers sweeping at once split the work instead of queueing on each other.
    const result = await this.pool.query(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = $1, lease_owner = NULL,
         lease_expires_at = NULL, updated_at = $1
       WHERE id IN (
         SELECT id FROM deliveries WHERE status = 'in_flight' AND lease_expires_at <= $1
         FOR UPDATE SKIP LOCKED)
       AND status = 'in_flight' AND lease_expires_at <= $1`,
      [now],
    );
    return result.rowCount ?? 0;
  }

  async nextDueAt(): Promise<number | null> {
    // The queue heads, and for endpoints with wake-ups not yet folded into their heads
    // (claim.ts) their own next due time: at worst this wakes a worker for a claim that
    // finds nothing, never too late.
    const { rows } = await this.pool.query<{ at: number | null }>(
      `SELECT least(
         (SELECT min(due_at) FROM endpoint_queue),
         (SELECT min(n.next) FROM (SELECT DISTINCT endpoint_id FROM endpoint_wakeups) AS w
          CROSS JOIN LATERAL (SELECT min(next_attempt_at) AS next FROM deliveries
            WHERE endpoint_id = w.endpoint_id AND status = 'pending' AND next_attempt_at IS NOT NULL) AS n)
       ) AS at`,
    );
    return rows[0]?.at ?? null;
  }

  retryDeliveries(req: RetryRequest): Promise<string[]> {
    return withTx(this.pool, async (client) => {
      const owns = await client.query('SELECT 1 FROM events WHERE id = $1 AND tenant_id = $2', [
        req.eventId,
        req.tenantId,
      ]);
      if (owns.rowCount === 0) return [];
      // A spent attempt budget does not block a manual retry (an explicit human
      // action), so `attempts` is left as it is. Deliveries whose endpoint is gone stay cancelled.
      const { rows } = await client.query<{ id: string }>(
        `UPDATE deliveries AS d SET status = 'pending',
           next_attempt_at = CASE WHEN p.status = 'active' THEN $1::int8 ELSE NULL END,
           next_trigger = 'manual', completed_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
           updated_at = $1
         FROM endpoints AS p
         WHERE p.id = d.endpoint_id AND p.tenant_id = $3
           AND d.event_id = $2 AND d.tenant_id = $3 AND d.status != 'in_flight'
           AND ($4::text IS NULL OR d.endpoint_id = $4)
         RETURNING d.id`,
        [req.now, req.eventId, req.tenantId, req.endpointId ?? null],
      );
      return rows.map((r) => r.id).sort();
    });
  }
}
