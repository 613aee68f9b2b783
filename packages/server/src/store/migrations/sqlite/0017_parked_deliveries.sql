-- Parked deliveries (pending with no due time: their endpoint is paused,
-- disabled or awaiting verification), per endpoint in creation order. Empty
-- unless something is parked, and no delivery on the sending path enters it
-- (a due row has a due time, a leased one is in flight). Activating an
-- endpoint makes its parked deliveries due a chunk at a time (the activation
-- takes the first chunk, each claim the next when the parked ones are older
-- than what is due), so a backlog of millions never becomes one statement
-- that holds the write lock for seconds.
CREATE INDEX deliveries_parked ON deliveries (endpoint_id, id)
  WHERE status = 'pending' AND next_attempt_at IS NULL;
