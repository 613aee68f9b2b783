/**
 * Endpoint health on PostgreSQL: one query per concern over the whole list of
 * endpoint ids (LATERAL walks of each endpoint's index), and the two actions,
 * reset circuit and retry now, each one transaction under the endpoint row
 * lock that the claim and completions take too (FOR NO KEY UPDATE), so a
 * reset and a completion never overwrite each other's circuit.
 */
import type { DeliveryFact } from '../../domain/retry-report.ts';
import { closedFlow } from '../circuits.ts';
import { type CircuitReset, type HealthStore, LAST_ERROR_LOOKBACK } from '../health-port.ts';
import { type FactRow, factOf, type GateRow, gateOf, type HealthRows, healthFacts } from '../health-rows.ts';
import { updateDue } from './bulk-due.ts';
import { type Pool, withTx } from './db.ts';
import { ownsEndpoint } from './endpoints.ts';
import { flowOf, loadFlowStates, saveFlowStates } from './flow.ts';

type Num = string | number;

export class PgHealth implements HealthStore {
  constructor(private readonly pool: Pool) {}

  async endpointHealth(tenantId: string, endpointIds: readonly string[], since: number) {
    if (endpointIds.length === 0) return [];
    const ids = [...endpointIds];
    const q = <K extends keyof HealthRows>(_: K, sql: string, params: unknown[] = [ids, tenantId]) =>
      this.pool.query(sql, params).then(({ rows }) => rows as unknown as HealthRows[K]);
    const [owned, unfinished, exhausted, last, errors, windows, flows] = await Promise.all([
      this.pool
        .query<{ id: string }>('SELECT id FROM endpoints WHERE id = ANY($1::text[]) AND tenant_id = $2', [
          ids,
          tenantId,
        ])
        .then(({ rows }) => rows.map((r) => r.id)),
      q(
        'unfinished',
        `SELECT endpoint_id, count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'in_flight') AS in_flight,
           min(next_attempt_at) FILTER (WHERE status = 'pending') AS next_due,
           min(created_at) FILTER (WHERE status = 'pending') AS oldest
         FROM deliveries
         WHERE endpoint_id = ANY($1::text[]) AND status IN ('pending', 'in_flight') AND tenant_id = $2
         GROUP BY endpoint_id`,
      ),
      q(
        'exhausted',
        `SELECT endpoint_id, count(*) AS n FROM deliveries
         WHERE endpoint_id = ANY($1::text[]) AND status = 'failed' AND tenant_id = $2 GROUP BY endpoint_id`,
      ),
      q(
        'last',
        `SELECT e.id AS endpoint_id, a.created_at, a.succeeded FROM unnest($1::text[]) AS e(id)
         CROSS JOIN LATERAL (
           SELECT created_at, succeeded FROM attempts
           WHERE tenant_id = $2 AND endpoint_id = e.id AND trigger <> 'test'
           ORDER BY created_at DESC, id DESC LIMIT 1) AS a`,
      ),
      // Bounded: only the endpoint's latest attempts are looked at.
      q(
        'errors',
        `SELECT e.id AS endpoint_id, a.created_at, a.error_kind, a.error_message, a.response_status
         FROM unnest($1::text[]) AS e(id)
         CROSS JOIN LATERAL (
           SELECT * FROM (
             SELECT id, created_at, error_kind, error_message, response_status, succeeded FROM attempts
             WHERE tenant_id = $2 AND endpoint_id = e.id AND trigger <> 'test'
             ORDER BY created_at DESC, id DESC LIMIT ${LAST_ERROR_LOOKBACK}) AS recent
           WHERE NOT recent.succeeded ORDER BY recent.created_at DESC, recent.id DESC LIMIT 1) AS a`,
      ),
      q(
        'windows',
        `SELECT endpoint_id, sum(attempts) AS attempts, sum(succeeded) AS succeeded, sum(failed) AS failed
         FROM attempt_stats WHERE tenant_id = $2 AND endpoint_id = ANY($1::text[]) AND minute >= $3
         GROUP BY endpoint_id`,
        [ids, tenantId, since],
      ),
      loadFlowStates(this.pool, ids),
    ]);
    return healthFacts(ids, { owned, unfinished, exhausted, last, errors, windows, flows });
  }

  async deliveryFacts(tenantId: string, deliveryIds: readonly string[]): Promise<DeliveryFact[]> {
    if (deliveryIds.length === 0) return [];
    const { rows } = await this.pool.query<FactRow>(
      `SELECT d.id, d.endpoint_id, d.status, d.next_attempt_at, d.updated_at, p.name,
         p.status AS endpoint_status, f.circuit, f.open_until
       FROM deliveries AS d
       LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
       LEFT JOIN endpoint_flow AS f ON f.endpoint_id = d.endpoint_id
       WHERE d.id = ANY($1::text[]) AND d.tenant_id = $2`,
      [[...deliveryIds], tenantId],
    );
    return rows.map(factOf);
  }

  async endpointGate(tenantId: string, endpointId: string) {
    const { rows } = await this.pool.query<GateRow>(
      `SELECT p.id AS endpoint_id, p.name, p.status AS endpoint_status, f.circuit, f.open_until
       FROM endpoints AS p LEFT JOIN endpoint_flow AS f ON f.endpoint_id = p.id
       WHERE p.id = $1 AND p.tenant_id = $2`,
      [endpointId, tenantId],
    );
    return rows[0] ? gateOf(rows[0]) : null;
  }

  resetCircuit(tenantId: string, endpointId: string, now: number): Promise<CircuitReset | null> {
    return withTx(this.pool, async (client) => {
      // The lock claims and completions take before they read or write the circuit.
      const locked = await client.query(
        'SELECT id FROM endpoints WHERE id = $1 AND tenant_id = $2 FOR NO KEY UPDATE',
        [endpointId, tenantId],
      );
      if (locked.rowCount === 0) return null;
      const previous = flowOf(await loadFlowStates(client, [endpointId]), endpointId);
      await saveFlowStates(client, new Map([[endpointId, closedFlow(previous)]]));
      // The claim held the endpoint's queue head back to the cooldown's end (batches:
      // their deliveries): due now instead. The wake-up is folded into the head by the next claim.
      if (previous.openUntil !== null) {
        await updateDue(
          client,
          `UPDATE deliveries SET next_attempt_at = $2, updated_at = $2
           WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > $2 AND next_attempt_at <= $3
           RETURNING endpoint_id, status, next_attempt_at`,
          [endpointId, now, previous.openUntil],
        );
        await client.query('INSERT INTO endpoint_wakeups (endpoint_id, due_at) VALUES ($1, $2)', [
          endpointId,
          now,
        ]);
      }
      const { rows } = await client.query<{ n: Num }>(
        `SELECT count(*) AS n FROM deliveries
         WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at <= $2`,
        [endpointId, now],
      );
      return { previous, due: Number(rows[0]?.n ?? 0) };
    });
  }

  retryNow(tenantId: string, endpointId: string, now: number) {
    return withTx(this.pool, async (client) => {
      if (!(await ownsEndpoint(client, tenantId, endpointId))) return null;
      // A retry waiting for its backoff is a manual attempt once a person sends it now.
      const moved = await updateDue(
        client,
        `UPDATE deliveries SET next_attempt_at = $2, updated_at = $2,
           next_trigger = CASE WHEN attempts > 0 THEN 'manual' ELSE next_trigger END
         WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > $2
         RETURNING endpoint_id, status, next_attempt_at`,
        [endpointId, now],
      );
      const { rows } = await client.query<{ n: Num }>(
        `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending'`,
        [endpointId],
      );
      return { moved, pending: Number(rows[0]?.n ?? 0) };
    });
  }
}
