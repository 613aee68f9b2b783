-- Stats rollup and recovery jobs (PostgreSQL).

-- Per (tenant, endpoint, minute): attempt counts and a latency histogram, kept
-- up to date in the transaction that records the attempts, so stats read a
-- few hundred rows instead of scanning the attempt log. h00..h29 count
-- attempts per latency bucket (bounds in store/ops-port.ts, LATENCY_BOUNDS_MS).
CREATE TABLE attempt_stats (
  tenant_id       TEXT COLLATE "C" NOT NULL,
  endpoint_id     TEXT COLLATE "C" NOT NULL,
  minute          BIGINT NOT NULL,       -- epoch ms of the minute's start
  attempts        BIGINT NOT NULL DEFAULT 0,
  succeeded       BIGINT NOT NULL DEFAULT 0,
  failed          BIGINT NOT NULL DEFAULT 0,
  dropped         BIGINT NOT NULL DEFAULT 0,
  c2xx            BIGINT NOT NULL DEFAULT 0,
  c3xx            BIGINT NOT NULL DEFAULT 0,
  c4xx            BIGINT NOT NULL DEFAULT 0,
  c5xx            BIGINT NOT NULL DEFAULT 0,
  cnone           BIGINT NOT NULL DEFAULT 0,
  latency_sum_ms  BIGINT NOT NULL DEFAULT 0,
  h00              BIGINT NOT NULL DEFAULT 0,
  h01              BIGINT NOT NULL DEFAULT 0,
  h02              BIGINT NOT NULL DEFAULT 0,
  h03              BIGINT NOT NULL DEFAULT 0,
  h04              BIGINT NOT NULL DEFAULT 0,
  h05              BIGINT NOT NULL DEFAULT 0,
  h06              BIGINT NOT NULL DEFAULT 0,
  h07              BIGINT NOT NULL DEFAULT 0,
  h08              BIGINT NOT NULL DEFAULT 0,
  h09              BIGINT NOT NULL DEFAULT 0,
  h10              BIGINT NOT NULL DEFAULT 0,
  h11              BIGINT NOT NULL DEFAULT 0,
  h12              BIGINT NOT NULL DEFAULT 0,
  h13              BIGINT NOT NULL DEFAULT 0,
  h14              BIGINT NOT NULL DEFAULT 0,
  h15              BIGINT NOT NULL DEFAULT 0,
  h16              BIGINT NOT NULL DEFAULT 0,
  h17              BIGINT NOT NULL DEFAULT 0,
  h18              BIGINT NOT NULL DEFAULT 0,
  h19              BIGINT NOT NULL DEFAULT 0,
  h20              BIGINT NOT NULL DEFAULT 0,
  h21              BIGINT NOT NULL DEFAULT 0,
  h22              BIGINT NOT NULL DEFAULT 0,
  h23              BIGINT NOT NULL DEFAULT 0,
  h24              BIGINT NOT NULL DEFAULT 0,
  h25              BIGINT NOT NULL DEFAULT 0,
  h26              BIGINT NOT NULL DEFAULT 0,
  h27              BIGINT NOT NULL DEFAULT 0,
  h28              BIGINT NOT NULL DEFAULT 0,
  h29              BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, endpoint_id, minute)
);
CREATE INDEX attempt_stats_tenant ON attempt_stats (tenant_id, minute);
CREATE INDEX attempt_stats_minute ON attempt_stats (minute);

-- Retention deletes events by age, oldest first, in small batches (attempts
-- use the BRIN index on created_at of migration 1).
CREATE INDEX events_age ON events (created_at);

-- Recovery jobs (recover, replay, bulk retry): run in chunks by a worker that
-- holds the lease; the cursor is saved with each chunk so a job resumes.
CREATE TABLE jobs (
  id                TEXT COLLATE "C" PRIMARY KEY,
  tenant_id         TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind              TEXT NOT NULL,
  params            TEXT NOT NULL,       -- JSON
  status            TEXT NOT NULL,       -- queued | running | succeeded | failed
  processed         BIGINT NOT NULL DEFAULT 0,
  affected          BIGINT NOT NULL DEFAULT 0,
  cursor            TEXT COLLATE "C",
  error             TEXT,
  lease_owner       TEXT,
  lease_expires_at  BIGINT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  started_at        BIGINT,
  finished_at       BIGINT
);
CREATE INDEX jobs_tenant ON jobs (tenant_id, id);
CREATE INDEX jobs_open ON jobs (created_at) WHERE status IN ('queued', 'running');
