-- Flow control: per-endpoint token bucket and circuit breaker, kept in the
-- database so every worker process shares them. Written under the endpoint
-- row lock that claims and completions take; a missing row means a full
-- bucket and a closed circuit.
CREATE TABLE endpoint_flow (
  endpoint_id    TEXT COLLATE "C" PRIMARY KEY,
  tokens         DOUBLE PRECISION,
  refilled_at    BIGINT,
  circuit        TEXT NOT NULL DEFAULT 'closed',   -- closed | open | half_open
  failures       INTEGER NOT NULL DEFAULT 0,       -- consecutive failed attempts
  opens          INTEGER NOT NULL DEFAULT 0,       -- opens since the last success
  opened_at      BIGINT,
  open_until     BIGINT,
  failing_since  BIGINT
);

-- Ordered endpoints: "is there an older unfinished delivery?" and the
-- drop-oldest trim both walk an endpoint's unfinished deliveries by id.
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id, id) WHERE status IN ('pending', 'in_flight');
