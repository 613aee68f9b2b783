-- Herald schema, version 1 (SQLite).
-- Times are epoch milliseconds (INTEGER). JSON columns hold compact JSON text.

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  hash        TEXT NOT NULL UNIQUE,
  tenant_id   TEXT,                      -- NULL: admin key
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  metadata    TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE event_types (
  name        TEXT PRIMARY KEY,
  group_name  TEXT,
  description TEXT NOT NULL DEFAULT '',
  deprecated  INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX event_types_group ON event_types (group_name, name);

CREATE TABLE event_type_versions (
  name        TEXT NOT NULL REFERENCES event_types (name) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  schema      TEXT,                      -- JSON Schema, or NULL
  example     TEXT,                      -- JSON, or NULL
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE endpoints (
  id                   TEXT PRIMARY KEY,
  tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url                  TEXT NOT NULL,
  name                 TEXT NOT NULL DEFAULT '',
  description          TEXT NOT NULL DEFAULT '',
  status               TEXT NOT NULL,
  event_types          TEXT,             -- JSON array of patterns, NULL = all
  filter               TEXT,             -- JSON, or NULL
  secrets              TEXT NOT NULL,    -- JSON [{value, expiresAt}]
  signature            TEXT NOT NULL,    -- JSON SignatureConfig
  envelope             TEXT NOT NULL,
  format               TEXT NOT NULL,
  method               TEXT NOT NULL,
  headers              TEXT NOT NULL,    -- JSON object
  timeout_ms           INTEGER NOT NULL,
  retry                TEXT NOT NULL,    -- JSON RetryPolicy
  batch                TEXT,             -- JSON BatchPolicy, or NULL
  rate_limit           TEXT,             -- JSON RateLimitPolicy, or NULL
  overflow             TEXT NOT NULL,
  max_backlog          INTEGER,
  ordered              INTEGER NOT NULL DEFAULT 0,
  require_verification INTEGER NOT NULL DEFAULT 0,
  max_in_flight        INTEGER NOT NULL,
  has_resources        INTEGER NOT NULL DEFAULT 0,
  verified_at          INTEGER,
  disabled_reason      TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, id);

-- Per-resource subscriptions: a table so that 100k+ resources per endpoint
-- stay cheap to add, remove and match.
CREATE TABLE endpoint_resources (
  endpoint_id  TEXT NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  resource_id  TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (endpoint_id, resource_id)
) WITHOUT ROWID;

CREATE TABLE events (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type             TEXT NOT NULL,
  version          INTEGER NOT NULL,
  resource         TEXT,
  payload          TEXT NOT NULL,        -- the event's data, compact JSON
  idempotency_key  TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The queue. A delivery is due when status = 'pending' and next_attempt_at <= now;
-- pending with next_attempt_at NULL is parked (its endpoint is not active).
CREATE TABLE deliveries (
  id                TEXT PRIMARY KEY,
  tenant_id         TEXT NOT NULL,
  endpoint_id       TEXT NOT NULL,
  event_id          TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  status            TEXT NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER,
  next_trigger      TEXT NOT NULL DEFAULT 'scheduled',
  lease_owner       TEXT,
  lease_expires_at  INTEGER,
  last_status_code  INTEGER,
  last_error        TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  completed_at      INTEGER
);
-- The claim query walks this index in due order; it holds only pending rows.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
-- In-flight counts per endpoint and expired-lease sweeps; holds only in-flight rows.
CREATE INDEX deliveries_in_flight ON deliveries (endpoint_id, lease_expires_at) WHERE status = 'in_flight';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status);

CREATE TABLE attempts (
  id                TEXT PRIMARY KEY,
  request_id        TEXT NOT NULL UNIQUE,
  tenant_id         TEXT NOT NULL,
  delivery_id       TEXT,
  event_id          TEXT,
  endpoint_id       TEXT,
  event_type        TEXT NOT NULL,
  attempt_number    INTEGER NOT NULL,
  trigger           TEXT NOT NULL,
  url               TEXT NOT NULL,
  method            TEXT NOT NULL,
  request_headers   TEXT NOT NULL,       -- JSON object
  request_body      TEXT NOT NULL,
  response_status   INTEGER,
  response_headers  TEXT,                -- JSON object, or NULL
  response_body     TEXT,
  duration_ms       INTEGER NOT NULL,
  error_kind        TEXT,
  error_message     TEXT,
  succeeded         INTEGER NOT NULL,
  created_at        INTEGER NOT NULL
);
CREATE INDEX attempts_tenant ON attempts (tenant_id, id);
CREATE INDEX attempts_endpoint ON attempts (tenant_id, endpoint_id, id);
CREATE INDEX attempts_event ON attempts (tenant_id, event_id, id);
CREATE INDEX attempts_type ON attempts (tenant_id, event_type, id);
CREATE INDEX attempts_created ON attempts (tenant_id, created_at);
