/**
 * Flow-control state on PostgreSQL: the `endpoint_flow` rows (token bucket,
 * circuit breaker) and the drop-oldest trim. Callers hold the endpoint rows'
 * lock (FOR NO KEY UPDATE, in id order) before reading or writing a flow
 * row, so claims and completions in any process see one order of changes.
 */
import {
  type CircuitState,
  type CompletionPlan,
  type FlowState,
  INITIAL_FLOW_STATE,
} from '../../domain/circuit.ts';
import { pushRow, type Queryable } from './db.ts';

interface FlowRow {
  endpoint_id: string;
  tokens: number | null;
  refilled_at: string | number | null;
  circuit: string;
  failures: number;
  opens: number;
  opened_at: string | number | null;
  open_until: string | number | null;
  failing_since: string | number | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));

function flowFromRow(r: FlowRow): FlowState {
  return {
    tokens: r.tokens === null ? null : Number(r.tokens),
    refilledAt: num(r.refilled_at),
    circuit: r.circuit as CircuitState,
    failures: r.failures,
    opens: r.opens,
    openedAt: num(r.opened_at),
    openUntil: num(r.open_until),
    failingSince: num(r.failing_since),
  };
}

export async function loadFlowStates(client: Queryable, endpointIds: readonly string[]) {
  const out = new Map<string, FlowState>();
  if (endpointIds.length === 0) return out;
  const { rows } = await client.query<FlowRow>(
    'SELECT * FROM endpoint_flow WHERE endpoint_id = ANY($1::text[])',
    [endpointIds],
  );
  for (const r of rows) out.set(r.endpoint_id, flowFromRow(r));
  return out;
}

/**
 * Each endpoint's flow state with one more column `x` per endpoint, in one
 * statement (`sql` selects `e.id`, `x` and `f.*` from endpoint_flow AS f).
 */
async function flowsWith<X>(client: Queryable, sql: string, params: unknown[]) {
  const { rows } = await client.query<FlowRow & { id: string; x: X }>(sql, params);
  const flows = new Map<string, FlowState>();
  const extra = new Map<string, X>();
  for (const r of rows) {
    extra.set(r.id, r.x);
    if (r.endpoint_id !== null) flows.set(r.id, flowFromRow(r));
  }
  return { flows, extra };
}

/**
 * Endpoints' status and flow state read without locks: what a completion that
 * may change nothing looks at before deciding it needs the locks.
 */
export async function readFlowsAndStatuses(client: Queryable, endpointIds: readonly string[]) {
  const { flows, extra } = await flowsWith<string>(
    client,
    `SELECT e.id, e.status AS x, f.* FROM endpoints AS e
     LEFT JOIN endpoint_flow AS f ON f.endpoint_id = e.id WHERE e.id = ANY($1::text[])`,
    [endpointIds],
  );
  return { flows, statuses: extra };
}

/** For a claim holding these endpoints' locks: flow states and counts of in-flight rows (deliveries_in_flight). */
export async function loadFlowsAndInFlight(client: Queryable, endpointIds: readonly string[], now: number) {
  const { flows, extra } = await flowsWith<number>(
    client,
    `SELECT e.id, (SELECT count(*) FROM deliveries AS d
       WHERE d.endpoint_id = e.id AND d.status = 'in_flight' AND d.lease_expires_at > $2) AS x, f.*
     FROM unnest($1::text[]) AS e(id) LEFT JOIN endpoint_flow AS f ON f.endpoint_id = e.id`,
    [endpointIds, now],
  );
  return { flows, inFlight: extra };
}

export function flowOf(states: ReadonlyMap<string, FlowState>, endpointId: string): FlowState {
  return states.get(endpointId) ?? { ...INITIAL_FLOW_STATE };
}

export async function saveFlowStates(
  client: Queryable,
  states: ReadonlyMap<string, FlowState>,
): Promise<void> {
  if (states.size === 0) return;
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const [id, s] of states) {
    const values = [
      id,
      s.tokens,
      s.refilledAt,
      s.circuit,
      s.failures,
      s.opens,
      s.openedAt,
      s.openUntil,
      s.failingSince,
    ];
    pushRow(cols, values);
  }
  await client.query(
    `INSERT INTO endpoint_flow (endpoint_id, tokens, refilled_at, circuit, failures, opens, opened_at,
       open_until, failing_since)
     SELECT * FROM unnest($1::text[], $2::float8[], $3::int8[], $4::text[], $5::int[], $6::int[], $7::int8[],
       $8::int8[], $9::int8[])
     ON CONFLICT (endpoint_id) DO UPDATE SET tokens = excluded.tokens, refilled_at = excluded.refilled_at,
       circuit = excluded.circuit, failures = excluded.failures, opens = excluded.opens,
       opened_at = excluded.opened_at, open_until = excluded.open_until, failing_since = excluded.failing_since`,
    cols,
  );
}

/**
 * Locks a completion's endpoints (id order, as the claims take them) and
 * answers their status before it: its 410s are then reported once, as a transition.
 */
export async function lockEndpointStatuses(client: Queryable, endpointIds: readonly string[]) {
  const { rows } = await client.query<{ id: string; status: string }>(
    'SELECT id, status FROM endpoints WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE',
    [endpointIds],
  );
  return new Map(rows.map((r) => [r.id, r.status]));
}

/** Writes a completion's plan: the new flow states, and the endpoints it disables. */
export async function applyPlan(
  client: Queryable,
  plan: CompletionPlan,
  now: number,
): Promise<CompletionPlan['transitions']> {
  await saveFlowStates(client, plan.states);
  for (const [id, reason] of plan.disables) {
    await client.query(
      `UPDATE endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2
       WHERE id = $3 AND status <> 'disabled'`,
      [reason, now, id],
    );
  }
  return plan.transitions;
}

/**
 * Drop-oldest overflow: of each such endpoint, keeps the newest `maxBacklog`
 * pending deliveries and marks older pending ones `dropped`, counted in the
 * stats rollup. The endpoint row lock makes concurrent inserts trim one
 * after the other (so the backlog is exact); rows a claimer holds are
 * skipped rather than waited for (they are about to be sent), so an insert
 * never waits on a claim that waits on it.
 */
export async function trimBacklogs(client: Queryable, endpointIds: readonly string[], now: number) {
  if (endpointIds.length === 0) return 0;
  const { rows: policies } = await client.query<{ id: string; tenant_id: string; max_backlog: number }>(
    `SELECT id, tenant_id, max_backlog FROM endpoints
     WHERE id = ANY($1::text[]) AND overflow = 'drop-oldest' AND max_backlog IS NOT NULL
     ORDER BY id FOR NO KEY UPDATE`,
    [endpointIds],
  );
  let total = 0;
  for (const p of policies) {
    const { rowCount } = await client.query(
      `UPDATE deliveries SET status = 'dropped', next_attempt_at = NULL, completed_at = $2, updated_at = $2,
         last_error = 'dropped by overflow protection (drop-oldest, maxBacklog ' || $3::text || ')'
       WHERE id IN (
         SELECT id FROM deliveries
         WHERE endpoint_id = $1 AND status IN ('pending', 'in_flight') AND status = 'pending'
           AND id < (
             SELECT id FROM deliveries
             WHERE endpoint_id = $1 AND status IN ('pending', 'in_flight') AND status = 'pending'
             ORDER BY id DESC OFFSET $3 - 1 LIMIT 1)
         FOR UPDATE SKIP LOCKED)
       AND status = 'pending'`,
      [p.id, now, p.max_backlog],
    );
    const dropped = rowCount ?? 0;
    if (dropped > 0) {
      total += dropped;
      await client.query(
        `INSERT INTO attempt_stats (tenant_id, endpoint_id, minute, dropped) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, endpoint_id, minute) DO UPDATE SET dropped = attempt_stats.dropped + excluded.dropped`,
        [p.tenant_id, p.id, Math.floor(now / 60_000) * 60_000, dropped],
      );
    }
  }
  return total;
}
