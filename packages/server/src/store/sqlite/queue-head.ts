/**
 * Statements on the per-endpoint queue heads (migration 0006): the claim and
 * the batch claim set a head to the endpoint's exact next due time after
 * changing its deliveries.
 */

/** The endpoint's earliest due time (null: nothing due), read from its own index. */
export const NEXT_DUE_SQL = `SELECT min(next_attempt_at) FROM deliveries INDEXED BY deliveries_endpoint_due
  WHERE endpoint_id = ? AND status = 'pending' AND next_attempt_at IS NOT NULL`;

/** Sets `@endpointId`'s head to its exact next due time. */
export const SYNC_HEAD_SQL = `UPDATE endpoint_queue SET due_at = (
    SELECT min(next_attempt_at) FROM deliveries INDEXED BY deliveries_endpoint_due
    WHERE endpoint_id = @endpointId AND status = 'pending' AND next_attempt_at IS NOT NULL)
  WHERE endpoint_id = @endpointId`;
