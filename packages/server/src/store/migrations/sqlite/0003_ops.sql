-- Stats rollup and recovery jobs.

-- Per (tenant, endpoint, minute): attempt counts and a latency histogram, kept
-- up to date in the transaction that records the attempts, so stats read a
-- few hundred rows instead of scanning the attempt log. h00..h29 count
-- attempts per latency bucket (bounds in store/ops-port.ts, LATENCY_BOUNDS_MS).
CREATE TABLE attempt_stats (
  tenant_id       TEXT NOT NULL,
  endpoint_id     TEXT NOT NULL,
  minute          INTEGER NOT NULL,      -- epoch ms of the minute's start
  attempts        INTEGER NOT NULL DEFAULT 0,
  succeeded       INTEGER NOT NULL DEFAULT 0,
  failed          INTEGER NOT NULL DEFAULT 0,
  dropped         INTEGER NOT NULL DEFAULT 0,
  c2xx            INTEGER NOT NULL DEFAULT 0,
  c3xx            INTEGER NOT NULL DEFAULT 0,
  c4xx            INTEGER NOT NULL DEFAULT 0,
  c5xx            INTEGER NOT NULL DEFAULT 0,
  cnone           INTEGER NOT NULL DEFAULT 0,
  latency_sum_ms  INTEGER NOT NULL DEFAULT 0,
  h00              INTEGER NOT NULL DEFAULT 0,
  h01              INTEGER NOT NULL DEFAULT 0,
  h02              INTEGER NOT NULL DEFAULT 0,
  h03              INTEGER NOT NULL DEFAULT 0,
  h04              INTEGER NOT NULL DEFAULT 0,
  h05              INTEGER NOT NULL DEFAULT 0,
  h06              INTEGER NOT NULL DEFAULT 0,
  h07              INTEGER NOT NULL DEFAULT 0,
  h08              INTEGER NOT NULL DEFAULT 0,
  h09              INTEGER NOT NULL DEFAULT 0,
  h10              INTEGER NOT NULL DEFAULT 0,
  h11              INTEGER NOT NULL DEFAULT 0,
  h12              INTEGER NOT NULL DEFAULT 0,
  h13              INTEGER NOT NULL DEFAULT 0,
  h14              INTEGER NOT NULL DEFAULT 0,
  h15              INTEGER NOT NULL DEFAULT 0,
  h16              INTEGER NOT NULL DEFAULT 0,
  h17              INTEGER NOT NULL DEFAULT 0,
  h18              INTEGER NOT NULL DEFAULT 0,
  h19              INTEGER NOT NULL DEFAULT 0,
  h20              INTEGER NOT NULL DEFAULT 0,
  h21              INTEGER NOT NULL DEFAULT 0,
  h22              INTEGER NOT NULL DEFAULT 0,
  h23              INTEGER NOT NULL DEFAULT 0,
  h24              INTEGER NOT NULL DEFAULT 0,
  h25              INTEGER NOT NULL DEFAULT 0,
  h26              INTEGER NOT NULL DEFAULT 0,
  h27              INTEGER NOT NULL DEFAULT 0,
  h28              INTEGER NOT NULL DEFAULT 0,
  h29              INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, endpoint_id, minute)
) WITHOUT ROWID;
CREATE INDEX attempt_stats_tenant ON attempt_stats (tenant_id, minute);
CREATE INDEX attempt_stats_minute ON attempt_stats (minute);

-- Retention deletes by age, oldest first, in small batches: these let each
-- batch find its rows without scanning the tables.
CREATE INDEX attempts_age ON attempts (created_at);
CREATE INDEX events_age ON events (created_at);

-- Recovery jobs (recover, replay, bulk retry): run in chunks by a worker that
-- holds the lease; the cursor is saved with each chunk so a job resumes.
CREATE TABLE jobs (
  id                TEXT PRIMARY KEY,
  tenant_id         TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind              TEXT NOT NULL,
  params            TEXT NOT NULL,       -- JSON
  status            TEXT NOT NULL,       -- queued | running | succeeded | failed
  processed         INTEGER NOT NULL DEFAULT 0,
  affected          INTEGER NOT NULL DEFAULT 0,
  cursor            TEXT,
  error             TEXT,
  lease_owner       TEXT,
  lease_expires_at  INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER
);
CREATE INDEX jobs_tenant ON jobs (tenant_id, id);
CREATE INDEX jobs_open ON jobs (created_at) WHERE status IN ('queued', 'running');
