/**
 * Endpoint health on SQLite: a handful of statements over a list of endpoint
 * ids (each a walk of an index per endpoint, bound as one JSON parameter), and
 * the two actions, reset circuit and retry now, each one IMMEDIATE
 * transaction. Statements are prepared on first use: the tables exist only
 * after migrate().
 */
import type { DeliveryFact } from '../../domain/retry-report.ts';
import { closedFlow } from '../circuits.ts';
import { type CircuitReset, type HealthStore, LAST_ERROR_LOOKBACK } from '../health-port.ts';
import { type FactRow, factOf, type GateRow, gateOf, type HealthRows, healthFacts } from '../health-rows.ts';
import { type Db, jsonList, type Statement } from './db.ts';
import { SqliteFlow } from './flow.ts';
import { SYNC_HEAD_SQL } from './queue-head.ts';

interface Parts {
  flow: SqliteFlow;
  owns: Statement;
  owned: Statement;
  unfinished: Statement;
  exhausted: Statement;
  lastAttempt: Statement;
  lastError: Statement;
  window: Statement;
  facts: Statement;
  gate: Statement;
  release: Statement;
  dueNow: Statement;
  syncHead: Statement;
  moveDue: Statement;
  pending: Statement;
  reset: ReturnType<Db['transaction']>;
  retryNow: ReturnType<Db['transaction']>;
}

export class SqliteHealth implements HealthStore {
  private built: Parts | null = null;

  constructor(private readonly db: Db) {}

  private get p(): Parts {
    if (this.built) return this.built;
    const db = this.db;
    const ids = 'SELECT value FROM json_each(@ids)';
    const flow = new SqliteFlow(db);
    const parts: Omit<Parts, 'reset' | 'retryNow'> = {
      flow,
      owns: db.prepare('SELECT id FROM endpoints WHERE id = ? AND tenant_id = ?').pluck(),
      owned: db.prepare(`SELECT id FROM endpoints WHERE id IN (${ids}) AND tenant_id = @tenantId`).pluck(),
      // The repeated status test lets SQLite use the partial index of unfinished rows.
      unfinished: db.prepare(
        `SELECT endpoint_id, sum(status = 'pending') AS pending, sum(status = 'in_flight') AS in_flight,
           min(CASE WHEN status = 'pending' THEN next_attempt_at END) AS next_due,
           min(CASE WHEN status = 'pending' THEN created_at END) AS oldest
         FROM deliveries INDEXED BY deliveries_unfinished
         WHERE endpoint_id IN (${ids}) AND status IN ('pending', 'in_flight') AND tenant_id = @tenantId
         GROUP BY endpoint_id`,
      ),
      exhausted: db.prepare(
        `SELECT endpoint_id, count(*) AS n FROM deliveries INDEXED BY deliveries_failed
         WHERE endpoint_id IN (${ids}) AND status = 'failed' AND tenant_id = @tenantId GROUP BY endpoint_id`,
      ),
      // Newest by when the attempt was made, as the log orders them (the endpoint's log index).
      lastAttempt: db.prepare(
        `SELECT a.endpoint_id, a.created_at, a.succeeded FROM json_each(@ids) AS e
         JOIN attempts AS a ON a.id = (
           SELECT id FROM attempts
           WHERE tenant_id = @tenantId AND endpoint_id = e.value AND trigger != 'test'
           ORDER BY created_at DESC, id DESC LIMIT 1)`,
      ),
      // Bounded: only the endpoint's latest attempts are looked at, from the LAST_ERROR_LOOKBACK-th one on.
      lastError: db.prepare(
        `SELECT a.endpoint_id, a.created_at, a.error_kind, a.error_message, a.response_status
         FROM json_each(@ids) AS e
         JOIN attempts AS a ON a.id = (
           SELECT id FROM attempts
           WHERE tenant_id = @tenantId AND endpoint_id = e.value AND trigger != 'test' AND succeeded = 0
             AND created_at >= coalesce((
               SELECT created_at FROM attempts
               WHERE tenant_id = @tenantId AND endpoint_id = e.value AND trigger != 'test'
               ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ${LAST_ERROR_LOOKBACK - 1}), 0)
           ORDER BY created_at DESC, id DESC LIMIT 1)`,
      ),
      window: db.prepare(
        `SELECT endpoint_id, sum(attempts) AS attempts, sum(succeeded) AS succeeded, sum(failed) AS failed
         FROM attempt_stats WHERE tenant_id = @tenantId AND endpoint_id IN (${ids}) AND minute >= @since
         GROUP BY endpoint_id`,
      ),
      facts: db.prepare(
        `SELECT d.id, d.endpoint_id, d.status, d.next_attempt_at, d.updated_at, p.name,
           p.status AS endpoint_status, f.circuit, f.open_until
         FROM deliveries AS d
         LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
         LEFT JOIN endpoint_flow AS f ON f.endpoint_id = d.endpoint_id
         WHERE d.id IN (${ids}) AND d.tenant_id = @tenantId`,
      ),
      gate: db.prepare(
        `SELECT p.id AS endpoint_id, p.name, p.status AS endpoint_status, f.circuit, f.open_until
         FROM endpoints AS p LEFT JOIN endpoint_flow AS f ON f.endpoint_id = p.id
         WHERE p.id = ? AND p.tenant_id = ?`,
      ),
      release: db.prepare(
        `UPDATE deliveries SET next_attempt_at = @now, updated_at = @now
         WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at > @now
           AND next_attempt_at <= @until`,
      ),
      dueNow: db
        .prepare(
          `SELECT count(*) FROM deliveries INDEXED BY deliveries_endpoint_due
           WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?`,
        )
        .pluck(),
      syncHead: db.prepare(SYNC_HEAD_SQL),
      // A retry waiting for its backoff is a manual attempt once a person sends it now.
      moveDue: db.prepare(
        `UPDATE deliveries SET next_attempt_at = @now, updated_at = @now,
           next_trigger = CASE WHEN attempts > 0 THEN 'manual' ELSE next_trigger END
         WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at > @now`,
      ),
      pending: db
        .prepare(
          `SELECT count(*) FROM deliveries INDEXED BY deliveries_unfinished
           WHERE endpoint_id = ? AND status IN ('pending', 'in_flight') AND status = 'pending'`,
        )
        .pluck(),
    };
    const reset = db.transaction((tenantId: string, endpointId: string, now: number): CircuitReset | null => {
      if (parts.owns.get(endpointId, tenantId) === undefined) return null;
      const previous = flow.state(endpointId);
      flow.saveState(endpointId, closedFlow(previous));
      if (previous.openUntil !== null) parts.release.run({ now, endpointId, until: previous.openUntil });
      // The claim moved the queue head to the cooldown's end: back to the endpoint's real next due time.
      parts.syncHead.run({ endpointId });
      return { previous, due: parts.dueNow.get(endpointId, now) as number };
    });
    const retryNow = db.transaction((tenantId: string, endpointId: string, now: number) => {
      if (parts.owns.get(endpointId, tenantId) === undefined) return null;
      const moved = parts.moveDue.run({ now, endpointId }).changes;
      return { moved, pending: parts.pending.get(endpointId) as number };
    });
    this.built = { ...parts, reset, retryNow };
    return this.built;
  }

  async endpointHealth(tenantId: string, endpointIds: readonly string[], since: number) {
    if (endpointIds.length === 0) return [];
    const p = this.p;
    const params = { ids: jsonList(endpointIds), tenantId };
    const all = <K extends keyof HealthRows>(_: K, statement: Statement, bound: object) =>
      statement.all(bound) as unknown as HealthRows[K];
    return healthFacts(endpointIds, {
      owned: all('owned', p.owned, params),
      unfinished: all('unfinished', p.unfinished, params),
      exhausted: all('exhausted', p.exhausted, params),
      last: all('last', p.lastAttempt, params),
      errors: all('errors', p.lastError, params),
      windows: all('windows', p.window, { ...params, since }),
      flows: p.flow.states(endpointIds),
    });
  }

  async deliveryFacts(tenantId: string, deliveryIds: readonly string[]): Promise<DeliveryFact[]> {
    if (deliveryIds.length === 0) return [];
    const rows = this.p.facts.all({ ids: jsonList(deliveryIds), tenantId }) as FactRow[];
    return rows.map(factOf);
  }

  async endpointGate(tenantId: string, endpointId: string) {
    const row = this.p.gate.get(endpointId, tenantId) as GateRow | undefined;
    return row ? gateOf(row) : null;
  }

  async resetCircuit(tenantId: string, endpointId: string, now: number) {
    return this.p.reset.immediate(tenantId, endpointId, now) as CircuitReset | null;
  }

  async retryNow(tenantId: string, endpointId: string, now: number) {
    return this.p.retryNow.immediate(tenantId, endpointId, now) as { moved: number; pending: number } | null;
  }
}
