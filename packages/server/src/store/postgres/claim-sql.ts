/**
 * The statements of the PostgreSQL claim (claim.ts), over the queue heads
 * and wake-ups of migration 0015.
 */

/**
 * Endpoints already at their limit, from the deliveries_in_flight partial
 * index, read without locks: their heads stay out of the candidates (so a
 * slow endpoint cannot crowd out the others); the exact count is taken again
 * under the endpoint lock.
 */
const SATURATED_SQL = `
  SELECT f.endpoint_id FROM (
    SELECT endpoint_id, count(*) AS n FROM deliveries
    WHERE status = 'in_flight' AND lease_expires_at > $1 GROUP BY endpoint_id
  ) AS f JOIN endpoints AS s ON s.id = f.endpoint_id
  WHERE f.n >= s.max_in_flight`;

/**
 * The candidates, each endpoint once, in due order: the wake-ups not yet
 * folded (those another claimer is reading are skipped) and the heads that
 * are due. Every candidate endpoint that exists is locked in the same
 * statement, `FOR NO KEY UPDATE SKIP LOCKED`: one another claimer holds is
 * skipped (`locked` false) and keeps its wake-ups for a later claim. The
 * settings come from the locked rows, so a change committed just before the
 * lock (a pause, a new maxInFlight) is what the claim sees.
 * $1 now, $2 heads to read, $3 wake-ups to read.
 */
export const CLAIM_CANDIDATES_SQL = `
  WITH woken AS (
    SELECT id, endpoint_id, due_at FROM endpoint_wakeups ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
  ), heads AS (
    SELECT endpoint_id, due_at FROM endpoint_queue
    WHERE due_at <= $1 AND endpoint_id <> ALL(ARRAY(${SATURATED_SQL}))
    ORDER BY due_at LIMIT $2
  ), candidates AS (
    SELECT endpoint_id, min(due_at) AS due_at, array_agg(id) FILTER (WHERE id IS NOT NULL) AS wakeups
    FROM (SELECT endpoint_id, due_at, id FROM woken
          UNION ALL SELECT endpoint_id, due_at, NULL FROM heads) AS c
    GROUP BY endpoint_id
  ), locked AS (
    SELECT id, status, batch IS NOT NULL AS batching, max_in_flight, rate_limit, ordered, timeout_ms
    FROM endpoints WHERE id IN (SELECT endpoint_id FROM candidates)
    FOR NO KEY UPDATE SKIP LOCKED
  )
  SELECT c.endpoint_id, c.due_at, c.wakeups, p.id IS NOT NULL AS present, l.id IS NOT NULL AS locked,
    l.status, l.batching, l.max_in_flight, l.rate_limit, l.ordered, l.timeout_ms
  FROM candidates AS c
  LEFT JOIN endpoints AS p ON p.id = c.endpoint_id
  LEFT JOIN locked AS l ON l.id = c.endpoint_id
  ORDER BY c.due_at, c.endpoint_id`;

/**
 * Each locked endpoint's first `n` due rows, from its own index range. An
 * ordered endpoint offers only its oldest unfinished delivery (and nothing
 * while that one is in flight or not yet due). $5: rows this claim already
 * took (its own locks do not make SKIP LOCKED skip them).
 */
export const DUE_ROWS_SQL = `
  SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.next_trigger
  FROM unnest($1::text[], $2::int[], $3::bool[]) AS e(id, n, ordered)
  CROSS JOIN LATERAL (
    SELECT * FROM deliveries AS d
    WHERE d.endpoint_id = e.id AND d.status = 'pending' AND d.next_attempt_at <= $4
      AND d.id <> ALL($5::text[])
      AND (NOT e.ordered OR NOT EXISTS (
        SELECT 1 FROM deliveries AS o
        WHERE o.endpoint_id = e.id AND o.status IN ('pending', 'in_flight') AND o.id < d.id))
    ORDER BY d.next_attempt_at
    LIMIT e.n
    FOR UPDATE SKIP LOCKED
  ) AS d`;

/** Leases the taken rows and reads their events in the same round trip. */
export const LEASE_SQL = `
  WITH leased AS (
    UPDATE deliveries AS d SET status = 'in_flight', lease_owner = $1, lease_expires_at = v.lease,
      attempts = d.attempts + 1, next_attempt_at = NULL, updated_at = $2
    FROM unnest($3::text[], $4::int8[]) AS v(id, lease)
    WHERE d.id = v.id
    RETURNING d.event_id)
  SELECT id, type, version, resource, payload, created_at AS event_created_at
  FROM events WHERE id IN (SELECT event_id FROM leased)`;

/**
 * The claim's last statement: the wake-ups it read and folded are deleted,
 * heads of endpoints that are gone or batching are dropped, and each endpoint
 * it holds gets its exact next due time (read after this claim's own changes,
 * from the endpoint's index), but not before `not_before` (flow control).
 * $1 wake-up ids, $2 heads to drop, $3 endpoints, $4 not-before times.
 */
export const MOVE_HEADS_SQL = `
  WITH folded AS (DELETE FROM endpoint_wakeups WHERE id = ANY($1::int8[])),
    dropped AS (DELETE FROM endpoint_queue WHERE endpoint_id = ANY($2::text[]))
  INSERT INTO endpoint_queue (endpoint_id, due_at)
  SELECT e.id, CASE WHEN n.next IS NULL THEN NULL ELSE greatest(n.next, e.not_before) END
  FROM unnest($3::text[], $4::int8[]) AS e(id, not_before)
  CROSS JOIN LATERAL (
    SELECT min(next_attempt_at) AS next FROM deliveries
    WHERE endpoint_id = e.id AND status = 'pending' AND next_attempt_at IS NOT NULL) AS n
  ON CONFLICT (endpoint_id) DO UPDATE SET due_at = excluded.due_at`;

/** Deliveries of endpoints deleted while an event for them was being stored: cancelled, as deleting it would have. */
export const CANCEL_GONE_SQL = `
  UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = $1, updated_at = $1
  WHERE endpoint_id = ANY($2::text[]) AND status = 'pending'
    AND NOT EXISTS (SELECT 1 FROM endpoints WHERE id = deliveries.endpoint_id)`;

/** Due work of a paused or disabled endpoint (locked): pending with no due time, until it is active again. */
export const PARK_SQL = `
  UPDATE deliveries SET next_attempt_at = NULL, updated_at = $1
  WHERE endpoint_id = ANY($2::text[]) AND status = 'pending' AND next_attempt_at <= $1`;
