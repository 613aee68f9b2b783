/**
 * Flow-control state on SQLite: the `endpoint_flow` rows (token bucket,
 * circuit breaker) and the drop-oldest trim. Every method runs inside the
 * caller's transaction (claim, completion, insert), which holds SQLite's
 * single write lock, so processes sharing the file see one order of events.
 */
import {
  type CircuitState,
  type CompletionPlan,
  type FlowState,
  INITIAL_FLOW_STATE,
} from '../../domain/circuit.ts';
import type { Db, Statement } from './db.ts';
import { jsonList } from './db.ts';

const MINUTE_MS = 60_000;

interface FlowRow {
  endpoint_id: string;
  tokens: number | null;
  refilled_at: number | null;
  circuit: string;
  failures: number;
  opens: number;
  opened_at: number | null;
  open_until: number | null;
  failing_since: number | null;
}

export function flowFromRow(r: FlowRow | undefined): FlowState {
  if (!r) return { ...INITIAL_FLOW_STATE };
  return {
    tokens: r.tokens,
    refilledAt: r.refilled_at,
    circuit: r.circuit as CircuitState,
    failures: r.failures,
    opens: r.opens,
    openedAt: r.opened_at,
    openUntil: r.open_until,
    failingSince: r.failing_since,
  };
}

export class SqliteFlow {
  private readonly get: Statement;
  private readonly getMany: Statement;
  private readonly save: Statement;
  private readonly backlogPolicies: Statement;
  private readonly keepFrom: Statement;
  private readonly drop: Statement;
  private readonly countDropped: Statement;
  private readonly statuses: Statement;
  private readonly disable: Statement;

  constructor(db: Db) {
    this.get = db.prepare('SELECT * FROM endpoint_flow WHERE endpoint_id = ?');
    this.getMany = db.prepare(
      'SELECT * FROM endpoint_flow WHERE endpoint_id IN (SELECT value FROM json_each(?))',
    );
    this.save = db.prepare(
      `INSERT INTO endpoint_flow (endpoint_id, tokens, refilled_at, circuit, failures, opens, opened_at,
         open_until, failing_since)
       VALUES (@endpointId, @tokens, @refilledAt, @circuit, @failures, @opens, @openedAt, @openUntil, @failingSince)
       ON CONFLICT (endpoint_id) DO UPDATE SET tokens = excluded.tokens, refilled_at = excluded.refilled_at,
         circuit = excluded.circuit, failures = excluded.failures, opens = excluded.opens,
         opened_at = excluded.opened_at, open_until = excluded.open_until, failing_since = excluded.failing_since`,
    );
    this.backlogPolicies = db.prepare(
      `SELECT id, tenant_id, max_backlog FROM endpoints
       WHERE id IN (SELECT value FROM json_each(?)) AND overflow = 'drop-oldest' AND max_backlog IS NOT NULL`,
    );
    // The id of the oldest pending delivery to keep: everything pending older than it is dropped.
    this.keepFrom = db
      .prepare(
        `SELECT id FROM deliveries INDEXED BY deliveries_unfinished
         WHERE endpoint_id = ? AND status IN ('pending', 'in_flight') AND status = 'pending'
         ORDER BY id DESC LIMIT 1 OFFSET ?`,
      )
      .pluck();
    this.drop = db.prepare(
      `UPDATE deliveries INDEXED BY deliveries_unfinished
       SET status = 'dropped', next_attempt_at = NULL, completed_at = @now, updated_at = @now,
         last_error = 'dropped by overflow protection (drop-oldest, maxBacklog ' || @max || ')'
       WHERE endpoint_id = @endpointId AND status IN ('pending', 'in_flight') AND status = 'pending'
         AND id < @keepFrom`,
    );
    this.statuses = db
      .prepare('SELECT id, status FROM endpoints WHERE id IN (SELECT value FROM json_each(?))')
      .raw();
    this.disable = db.prepare(
      `UPDATE endpoints SET status = 'disabled', disabled_reason = ?, updated_at = ?
       WHERE id = ? AND status != 'disabled'`,
    );
    // The stats rollup counts drops per minute, like the attempts recorded in the same transaction.
    this.countDropped = db.prepare(
      `INSERT INTO attempt_stats (tenant_id, endpoint_id, minute, dropped) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET dropped = dropped + excluded.dropped`,
    );
  }

  state(endpointId: string): FlowState {
    return flowFromRow(this.get.get(endpointId) as FlowRow | undefined);
  }

  states(endpointIds: readonly string[]): Map<string, FlowState> {
    const out = new Map<string, FlowState>();
    for (const row of this.getMany.all(jsonList(endpointIds)) as FlowRow[])
      out.set(row.endpoint_id, flowFromRow(row));
    return out;
  }

  saveState(endpointId: string, s: FlowState): void {
    this.save.run({ endpointId, ...s });
  }

  /** The endpoints' status, read by a completion before it applies its 410s. */
  endpointStatuses(endpointIds: readonly string[]): Map<string, string> {
    return new Map(this.statuses.all(jsonList(endpointIds)) as [string, string][]);
  }

  /** Writes a completion's plan: the new flow states, and the endpoints it disables. */
  applyPlan(plan: CompletionPlan, now: number): CompletionPlan['transitions'] {
    for (const [id, state] of plan.states) this.saveState(id, state);
    for (const [id, reason] of plan.disables) this.disable.run(reason, now, id);
    return plan.transitions;
  }

  /**
   * Drop-oldest overflow: of each such endpoint, keeps the newest
   * `maxBacklog` pending deliveries and marks older pending ones `dropped`
   * (in flight ones are being sent and are left alone). Counted in the stats rollup.
   */
  trimBacklogs(endpointIds: readonly string[], now: number): number {
    if (endpointIds.length === 0) return 0;
    let total = 0;
    const rows = this.backlogPolicies.all(jsonList(endpointIds)) as {
      id: string;
      tenant_id: string;
      max_backlog: number;
    }[];
    for (const p of rows) {
      const keepFrom = this.keepFrom.get(p.id, Math.max(0, p.max_backlog - 1)) as string | undefined;
      if (keepFrom === undefined) continue;
      const dropped = this.drop.run({ now, endpointId: p.id, keepFrom, max: p.max_backlog }).changes;
      if (dropped > 0) {
        this.countDropped.run(p.tenant_id, p.id, Math.floor(now / MINUTE_MS) * MINUTE_MS, dropped);
        total += dropped;
      }
    }
    return total;
  }
}
