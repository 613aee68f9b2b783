/**
 * Everything that moves a delivery after its claim: completion (group
 * commit of attempts and outcomes), release, lease reclaim, manual retry.
 */
import { DEFAULT_FLOW_POLICY, type FlowPolicy, type FlowTransition } from '../../domain/circuit.ts';
import type { Attempt } from '../../domain/types.ts';
import { outcomeColumns } from '../claim-rows.ts';
import { endpointIdsOf, planDeliveryCompletion } from '../completion-flow.ts';
import type { CompletedAttempt, RetryRequest } from '../port.ts';
import type { Db, Statement } from './db.ts';
import { SqliteFlow } from './flow.ts';
import { attemptParams, INSERT_ATTEMPT_SQL } from './rows.ts';

export class SqliteQueue {
  private readonly insertAttempt: Statement;
  private readonly applyOutcome: Statement;
  private readonly disableEndpoint: Statement;
  private readonly release: Statement;
  private readonly reclaim: Statement;
  private readonly nextDue: Statement;
  private readonly ownsEvent: Statement;
  private readonly retryAll: Statement;
  private readonly retryOne: Statement;
  private readonly completeTx: (results: CompletedAttempt[], now: number) => FlowTransition[];
  /** The completion's statements, for a caller that already holds the write transaction. */
  readonly completeInTransaction: (results: CompletedAttempt[], now: number) => FlowTransition[];
  private readonly flow: SqliteFlow;
  /** Circuit and auto-disable thresholds (configureFlow). */
  flowPolicy: FlowPolicy = DEFAULT_FLOW_POLICY;
  private readonly releaseTx: (owner: string, ids: string[], now: number) => void;
  private readonly retryTx: (req: RetryRequest) => string[];

  /** `rollup` keeps the stats rollup current in the same transaction as the attempts. */
  constructor(db: Db, rollup?: { record(attempts: readonly Attempt[]): void }) {
    // A retried write of the same batch must not fail on attempts it already stored.
    this.insertAttempt = db.prepare(`${INSERT_ATTEMPT_SQL} ON CONFLICT (id) DO NOTHING`);
    // Guarded by the lease: a worker whose lease was taken over cannot overwrite the new owner's state.
    this.applyOutcome = db.prepare(
      `UPDATE deliveries SET status = @status, next_attempt_at = @nextAttemptAt, completed_at = @completedAt,
         lease_owner = NULL, lease_expires_at = NULL, last_status_code = @code,
         last_error = @error, next_trigger = 'scheduled', updated_at = @now
       WHERE id = @id AND status = 'in_flight' AND lease_owner = @owner`,
    );
    this.disableEndpoint = db.prepare(
      `UPDATE endpoints SET status = 'disabled', disabled_reason = ?, updated_at = ?
       WHERE id = (SELECT endpoint_id FROM deliveries WHERE id = ?)`,
    );
    this.flow = new SqliteFlow(db);
    this.release = db.prepare(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = ?, attempts = max(attempts - 1, 0),
         lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE id = ? AND status = 'in_flight' AND lease_owner = ?`,
    );
    this.reclaim = db.prepare(
      `UPDATE deliveries SET status = 'pending', next_attempt_at = @now, lease_owner = NULL,
         lease_expires_at = NULL, updated_at = @now
       WHERE status = 'in_flight' AND lease_expires_at <= @now`,
    );
    // The queue heads are lower bounds that the claim keeps exact for the
    // endpoints it looks at: at worst this wakes a worker for a claim that finds nothing.
    this.nextDue = db.prepare('SELECT min(due_at) FROM endpoint_queue').pluck();
    this.ownsEvent = db.prepare('SELECT 1 FROM events WHERE id = ? AND tenant_id = ?').pluck();
    // A spent attempt budget does not block a manual retry (an explicit human
    // action), so `attempts` is left as it is. Deliveries whose endpoint is gone stay cancelled.
    const retry = (oneEndpoint: boolean) =>
      db.prepare(
        `UPDATE deliveries SET status = 'pending',
           next_attempt_at = CASE WHEN (SELECT status FROM endpoints WHERE id = deliveries.endpoint_id) = 'active'
             THEN @now ELSE NULL END,
           next_trigger = 'manual', completed_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
           updated_at = @now
         WHERE event_id = @eventId AND tenant_id = @tenantId AND status != 'in_flight'
           ${oneEndpoint ? 'AND endpoint_id = @endpointId' : ''}
           AND endpoint_id IN (SELECT id FROM endpoints WHERE tenant_id = @tenantId)
         RETURNING id`,
      );
    this.retryAll = retry(false).pluck();
    this.retryOne = retry(true).pluck();

    this.completeInTransaction = (results: CompletedAttempt[], now: number) => {
      for (const r of results) this.insertAttempt.run(...attemptParams(r.attempt));
      rollup?.record(results.map((r) => r.attempt));
      // Read before this batch's 410s are applied, so each is reported once, as a transition.
      const ids = endpointIdsOf(results);
      const statuses = this.flow.endpointStatuses(ids);
      const applied: boolean[] = [];
      for (const r of results) {
        const { outcome, attempt } = r;
        const { changes } = this.applyOutcome.run({
          id: r.deliveryId,
          owner: r.owner,
          ...outcomeColumns(outcome, attempt, now),
          now,
        });
        applied.push(changes > 0);
        // The response happened whoever holds the lease now, so the endpoint is disabled regardless.
        if (r.disableEndpoint) this.disableEndpoint.run(r.disableEndpoint.reason, now, r.deliveryId);
      }
      // Circuit breaker and auto-disable, in the completion's transaction (attempts sent to an endpoint only).
      if (ids.length === 0) return [];
      const plan = planDeliveryCompletion(
        results,
        (_, i) => applied[i]!,
        this.flow.states(ids),
        statuses,
        this.flowPolicy,
        now,
      );
      return this.flow.applyPlan(plan, now);
    };
    this.completeTx = db.transaction(this.completeInTransaction);
    this.releaseTx = db.transaction((owner: string, ids: string[], now: number) => {
      for (const id of ids) this.release.run(now, now, id, owner);
    });
    this.retryTx = db.transaction((req: RetryRequest) => {
      if (!this.ownsEvent.get(req.eventId, req.tenantId)) return [];
      const params = { now: req.now, eventId: req.eventId, tenantId: req.tenantId };
      return (
        req.endpointId === undefined
          ? this.retryAll.all(params)
          : this.retryOne.all({ ...params, endpointId: req.endpointId })
      ) as string[];
    });
  }

  completeDeliveries(results: CompletedAttempt[], now: number): FlowTransition[] {
    return results.length > 0 ? this.completeTx(results, now) : [];
  }

  releaseDeliveries(owner: string, ids: string[], now: number): void {
    if (ids.length > 0) this.releaseTx(owner, ids, now);
  }

  reclaimExpiredLeases(now: number): number {
    return this.reclaim.run({ now }).changes;
  }

  nextDueAt(): number | null {
    return (this.nextDue.get() as number | undefined) ?? null;
  }

  retryDeliveries(req: RetryRequest): string[] {
    return this.retryTx(req);
  }
}
