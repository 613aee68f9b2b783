-- Herald schema, version 1 (PostgreSQL); the equivalent of SQLite's 0001 + 0002.
-- Times are epoch milliseconds (BIGINT). JSON columns hold compact JSON text:
-- Herald never queries inside them, and text keeps exactly what was written.
-- Keys sort bytewise (COLLATE "C") whatever the database locale: id order is time order, and cursors agree with SQLite.

CREATE TABLE api_keys (
  id          TEXT COLLATE "C" PRIMARY KEY,
  hash        TEXT NOT NULL UNIQUE,
  tenant_id   TEXT COLLATE "C",                      -- NULL: admin key
  name        TEXT COLLATE "C" NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT                     -- NULL: valid until deleted
);

CREATE TABLE tenants (
  id          TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT COLLATE "C" NOT NULL,
  metadata    TEXT NOT NULL DEFAULT '{}',
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX tenants_created ON tenants (created_at DESC, id DESC);

CREATE TABLE event_types (
  name        TEXT COLLATE "C" PRIMARY KEY,
  group_name  TEXT,
  description TEXT NOT NULL DEFAULT '',
  deprecated  BOOLEAN NOT NULL DEFAULT FALSE,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX event_types_group ON event_types (group_name, name);

CREATE TABLE event_type_versions (
  name        TEXT COLLATE "C" NOT NULL REFERENCES event_types (name) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  schema      TEXT,
  example     TEXT,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE endpoints (
  id                   TEXT COLLATE "C" PRIMARY KEY,
  tenant_id            TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url                  TEXT NOT NULL,
  name                 TEXT COLLATE "C" NOT NULL DEFAULT '',
  description          TEXT NOT NULL DEFAULT '',
  status               TEXT NOT NULL,
  event_types          TEXT,
  filter               TEXT,
  secrets              TEXT NOT NULL,
  signature            TEXT NOT NULL,
  envelope             TEXT NOT NULL,
  format               TEXT NOT NULL,
  method               TEXT NOT NULL,
  headers              TEXT NOT NULL,
  timeout_ms           INTEGER NOT NULL,
  retry                TEXT NOT NULL,
  batch                TEXT,
  rate_limit           TEXT,
  overflow             TEXT NOT NULL,
  max_backlog          INTEGER,
  ordered              BOOLEAN NOT NULL DEFAULT FALSE,
  require_verification BOOLEAN NOT NULL DEFAULT FALSE,
  max_in_flight        INTEGER NOT NULL,
  has_resources        BOOLEAN NOT NULL DEFAULT FALSE,
  verified_at          BIGINT,
  disabled_reason      TEXT,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL
);
CREATE INDEX endpoints_tenant ON endpoints (tenant_id, id);

CREATE TABLE endpoint_resources (
  endpoint_id  TEXT COLLATE "C" NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
  resource_id  TEXT COLLATE "C" NOT NULL,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (endpoint_id, resource_id)
);

CREATE TABLE events (
  id               TEXT COLLATE "C" PRIMARY KEY,
  tenant_id        TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  type             TEXT COLLATE "C" NOT NULL,
  version          INTEGER NOT NULL,
  resource         TEXT,
  payload          TEXT NOT NULL,        -- the exact bytes that are sent
  idempotency_key  TEXT,
  created_at       BIGINT NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, id);
CREATE UNIQUE INDEX events_idempotency ON events (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The queue. Due: status = 'pending' AND next_attempt_at <= now; parked: pending with NULL.
CREATE TABLE deliveries (
  id                TEXT COLLATE "C" PRIMARY KEY,
  tenant_id         TEXT COLLATE "C" NOT NULL,
  endpoint_id       TEXT COLLATE "C" NOT NULL,
  event_id          TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  status            TEXT NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT,
  next_trigger      TEXT NOT NULL DEFAULT 'scheduled',
  lease_owner       TEXT,
  lease_expires_at  BIGINT,
  last_status_code  INTEGER,
  last_error        TEXT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  completed_at      BIGINT
);
-- The claim walks this index in due order. Partial: it holds only the backlog,
-- so it stays small however many finished deliveries the table keeps.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
-- In-flight counts per endpoint and expired-lease sweeps; holds only in-flight rows.
CREATE INDEX deliveries_in_flight ON deliveries (endpoint_id, lease_expires_at) WHERE status = 'in_flight';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, status);
-- The queue is rewritten constantly: leave room on each page for HOT updates.
ALTER TABLE deliveries SET (fillfactor = 80);

CREATE TABLE attempts (
  id                TEXT COLLATE "C" PRIMARY KEY,
  request_id        TEXT COLLATE "C" NOT NULL UNIQUE,
  tenant_id         TEXT COLLATE "C" NOT NULL,
  delivery_id       TEXT COLLATE "C",
  event_id          TEXT COLLATE "C",
  endpoint_id       TEXT COLLATE "C",
  event_type        TEXT COLLATE "C" NOT NULL,
  attempt_number    INTEGER NOT NULL,
  trigger           TEXT NOT NULL,
  url               TEXT NOT NULL,
  method            TEXT NOT NULL,
  request_headers   TEXT NOT NULL,
  request_body      TEXT NOT NULL,
  response_status   INTEGER,
  response_headers  TEXT,
  response_body     TEXT,
  duration_ms       INTEGER NOT NULL,
  error_kind        TEXT,
  error_message     TEXT,
  succeeded         BOOLEAN NOT NULL,
  created_at        BIGINT NOT NULL
);
-- Every log view is "one tenant, maybe one endpoint / event / type, newest first":
-- each is one index range scan in id order, also at 10M rows.
CREATE INDEX attempts_tenant ON attempts (tenant_id, id);
CREATE INDEX attempts_endpoint ON attempts (tenant_id, endpoint_id, id);
CREATE INDEX attempts_event ON attempts (tenant_id, event_id, id);
CREATE INDEX attempts_type ON attempts (tenant_id, event_type, id);
CREATE INDEX attempts_created ON attempts (tenant_id, created_at);
-- Retention purges by age across tenants, in batches; BRIN stays tiny on append-only time.
CREATE INDEX attempts_created_brin ON attempts USING brin (created_at);
