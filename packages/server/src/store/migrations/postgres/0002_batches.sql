-- Batching: deliveries of an endpoint with `batch` set are sent together as
-- one request. The batch row is the unit that is leased, retried and logged;
-- its deliveries stay linked to it (deliveries.batch_id) and mirror its state.
CREATE TABLE batches (
  id                TEXT COLLATE "C" PRIMARY KEY,      -- msg_…, sent as the request's webhook-id
  tenant_id         TEXT COLLATE "C" NOT NULL,
  endpoint_id       TEXT COLLATE "C" NOT NULL,
  status            TEXT NOT NULL,         -- pending | in_flight | succeeded | failed
  size              INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT,
  lease_owner       TEXT,
  lease_expires_at  BIGINT,
  last_status_code  INTEGER,
  last_error        TEXT,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  completed_at      BIGINT
);
-- Retries and expired leases of batches; holds only unfinished batches.
-- The few endpoints that batch, found without scanning the others.
CREATE INDEX endpoints_batched ON endpoints (id) WHERE batch IS NOT NULL;
CREATE INDEX batches_open ON batches (endpoint_id, status) WHERE status IN ('pending', 'in_flight');

ALTER TABLE deliveries ADD COLUMN batch_id TEXT COLLATE "C";
CREATE INDEX deliveries_batch ON deliveries (batch_id) WHERE batch_id IS NOT NULL;
-- Gathering: the unbatched backlog of one endpoint, oldest first.
CREATE INDEX deliveries_unbatched ON deliveries (endpoint_id, created_at) WHERE status = 'pending' AND batch_id IS NULL;

-- The attempt log of a batch: which batch, and the events it carried (JSON array of ids).
ALTER TABLE attempts ADD COLUMN batch_id TEXT COLLATE "C";
ALTER TABLE attempts ADD COLUMN event_ids TEXT;
