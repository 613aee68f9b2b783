-- Flow control: per-endpoint token bucket and circuit breaker, kept in the
-- database so every worker process shares them. Written under the claim's
-- and the completion's transaction; a missing row means a full bucket and
-- a closed circuit.
CREATE TABLE endpoint_flow (
  endpoint_id    TEXT PRIMARY KEY,
  tokens         REAL,
  refilled_at    INTEGER,
  circuit        TEXT NOT NULL DEFAULT 'closed',   -- closed | open | half_open
  failures       INTEGER NOT NULL DEFAULT 0,       -- consecutive failed attempts
  opens          INTEGER NOT NULL DEFAULT 0,       -- opens since the last success
  opened_at      INTEGER,
  open_until     INTEGER,
  failing_since  INTEGER
) WITHOUT ROWID;

-- Ordered endpoints: "is there an older unfinished delivery?" and the
-- drop-oldest trim both walk an endpoint's unfinished deliveries by id.
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id, id) WHERE status IN ('pending', 'in_flight');
