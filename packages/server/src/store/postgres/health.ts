/**
 * Endpoint health on PostgreSQL: one query per concern over the whole list of
 * endpoint ids (LATERAL walks of each endpoint's index), and the two actions,
 * reset circuit and retry now, each one transaction under the endpoint row
 * lock that the claim and completions take too (FOR NO KEY UPDATE), so a
 * reset and a completion never overwrite each other's circuit.
 */
import { INITIAL_FLOW_STATE } from '../../domain/circuit.ts';
import type { DeliveryFact } from '../../domain/retry-report.ts';
import type { DeliveryStatus } from '../../domain/types.ts';
import { closedFlow } from '../circuits.ts';
import {
  type CircuitReset,
  type EndpointHealthFacts,
  type GateRow,
  gateOf,
  type HealthStore,
  LAST_ERROR_LOOKBACK,
} from '../health-port.ts';
import { type Pool, withTx } from './db.ts';
import { flowOf, loadFlowStates, saveFlowStates } from './flow.ts';

type Num = string | number;
const num = (v: Num | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export class PgHealth implements HealthStore {
  constructor(private readonly pool: Pool) {}

  async endpointHealth(tenantId: string, endpointIds: readonly string[], since: number) {
    if (endpointIds.length === 0) return [];
    const ids = [...endpointIds];
    const q = <R extends { endpoint_id: string }>(sql: string, params: unknown[] = [ids, tenantId]) =>
      this.pool.query<R>(sql, params).then(({ rows }) => new Map(rows.map((r) => [r.endpoint_id, r])));
    const [owned, unfinished, exhausted, last, errors, windows, flows] = await Promise.all([
      q<{ endpoint_id: string }>(
        'SELECT id AS endpoint_id FROM endpoints WHERE id = ANY($1::text[]) AND tenant_id = $2',
      ),
      q<{ endpoint_id: string; pending: Num; in_flight: Num; next_due: Num | null; oldest: Num | null }>(
        `SELECT endpoint_id, count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'in_flight') AS in_flight,
           min(next_attempt_at) FILTER (WHERE status = 'pending') AS next_due,
           min(created_at) FILTER (WHERE status = 'pending') AS oldest
         FROM deliveries
         WHERE endpoint_id = ANY($1::text[]) AND status IN ('pending', 'in_flight') AND tenant_id = $2
         GROUP BY endpoint_id`,
      ),
      q<{ endpoint_id: string; n: Num }>(
        `SELECT endpoint_id, count(*) AS n FROM deliveries
         WHERE endpoint_id = ANY($1::text[]) AND status = 'failed' AND tenant_id = $2 GROUP BY endpoint_id`,
      ),
      q<{ endpoint_id: string; created_at: Num; succeeded: boolean }>(
        `SELECT e.id AS endpoint_id, a.created_at, a.succeeded FROM unnest($1::text[]) AS e(id)
         CROSS JOIN LATERAL (
           SELECT created_at, succeeded FROM attempts
           WHERE tenant_id = $2 AND endpoint_id = e.id AND trigger <> 'test'
           ORDER BY created_at DESC, id DESC LIMIT 1) AS a`,
      ),
      // Bounded: only the endpoint's latest attempts are looked at.
      q<{
        endpoint_id: string;
        created_at: Num;
        error_kind: string | null;
        error_message: string | null;
        response_status: number | null;
      }>(
        `SELECT e.id AS endpoint_id, a.created_at, a.error_kind, a.error_message, a.response_status
         FROM unnest($1::text[]) AS e(id)
         CROSS JOIN LATERAL (
           SELECT * FROM (
             SELECT id, created_at, error_kind, error_message, response_status, succeeded FROM attempts
             WHERE tenant_id = $2 AND endpoint_id = e.id AND trigger <> 'test'
             ORDER BY created_at DESC, id DESC LIMIT ${LAST_ERROR_LOOKBACK}) AS recent
           WHERE NOT recent.succeeded ORDER BY recent.created_at DESC, recent.id DESC LIMIT 1) AS a`,
      ),
      q<{ endpoint_id: string; attempts: Num; succeeded: Num; failed: Num }>(
        `SELECT endpoint_id, sum(attempts) AS attempts, sum(succeeded) AS succeeded, sum(failed) AS failed
         FROM attempt_stats WHERE tenant_id = $2 AND endpoint_id = ANY($1::text[]) AND minute >= $3
         GROUP BY endpoint_id`,
        [ids, tenantId, since],
      ),
      loadFlowStates(this.pool, ids),
    ]);
    return ids
      .filter((id) => owned.has(id))
      .map((id): EndpointHealthFacts => {
        const u = unfinished.get(id);
        const a = last.get(id);
        const e = errors.get(id);
        const w = windows.get(id);
        return {
          endpointId: id,
          flow: flows.get(id) ?? { ...INITIAL_FLOW_STATE },
          pending: num(u?.pending) ?? 0,
          inFlight: num(u?.in_flight) ?? 0,
          exhausted: num(exhausted.get(id)?.n) ?? 0,
          nextDueAt: num(u?.next_due),
          oldestPendingAt: num(u?.oldest),
          lastAttempt: a ? { at: Number(a.created_at), succeeded: a.succeeded } : null,
          lastError: e
            ? {
                at: Number(e.created_at),
                kind: e.error_kind ?? 'http_status',
                message: e.error_message ?? `the endpoint answered ${e.response_status ?? 'nothing'}`,
                statusCode: e.response_status,
              }
            : null,
          window: {
            attempts: num(w?.attempts) ?? 0,
            succeeded: num(w?.succeeded) ?? 0,
            failed: num(w?.failed) ?? 0,
          },
        };
      });
  }

  async deliveryFacts(tenantId: string, deliveryIds: readonly string[]): Promise<DeliveryFact[]> {
    if (deliveryIds.length === 0) return [];
    const { rows } = await this.pool.query<
      GateRow & { id: string; status: string; next_attempt_at: Num | null; updated_at: Num }
    >(
      `SELECT d.id, d.endpoint_id, d.status, d.next_attempt_at, d.updated_at, p.name,
         p.status AS endpoint_status, f.circuit, f.open_until
       FROM deliveries AS d
       LEFT JOIN endpoints AS p ON p.id = d.endpoint_id
       LEFT JOIN endpoint_flow AS f ON f.endpoint_id = d.endpoint_id
       WHERE d.id = ANY($1::text[]) AND d.tenant_id = $2`,
      [[...deliveryIds], tenantId],
    );
    return rows.map((r) => ({
      ...gateOf(r),
      deliveryId: r.id,
      status: r.status as DeliveryStatus,
      nextAttemptAt: num(r.next_attempt_at),
      updatedAt: Number(r.updated_at),
    }));
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
      // The claim deferred the deliveries it held back to the cooldown's end: due now instead.
      if (previous.openUntil !== null) {
        await client.query(
          `UPDATE deliveries SET next_attempt_at = $2, updated_at = $2
           WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > $2 AND next_attempt_at <= $3`,
          [endpointId, now, previous.openUntil],
        );
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
      const owns = await client.query('SELECT 1 FROM endpoints WHERE id = $1 AND tenant_id = $2', [
        endpointId,
        tenantId,
      ]);
      if (owns.rowCount === 0) return null;
      // A retry waiting for its backoff is a manual attempt once a person sends it now.
      const moved = await client.query(
        `UPDATE deliveries SET next_attempt_at = $2, updated_at = $2,
           next_trigger = CASE WHEN attempts > 0 THEN 'manual' ELSE next_trigger END
         WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > $2`,
        [endpointId, now],
      );
      const { rows } = await client.query<{ n: Num }>(
        `SELECT count(*) AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'pending'`,
        [endpointId],
      );
      return { moved: moved.rowCount ?? 0, pending: Number(rows[0]?.n ?? 0) };
    });
  }
}
