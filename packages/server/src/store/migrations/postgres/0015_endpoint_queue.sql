-- Queue heads, as SQLite has had since its 0006 (store/postgres/claim.ts): the
-- claim walks a few small rows, one per endpoint with work, instead of the
-- due index of every delivery, so an endpoint at its limit with a backlog of
-- millions costs a claim one row, not millions.
--
-- endpoint_queue holds each endpoint's next due time and is written only by a
-- claim that holds the endpoint's row lock, so heads never race each other.
-- Everything else that makes a delivery due (an ingest, a retry scheduled by a
-- completion, a released or reclaimed lease, a manual retry, an endpoint made
-- active again) leaves a wake-up row instead, through the triggers below: an
-- insert-only table, so writers never wait on a claim or on each other. A
-- claim folds the wake-ups of the endpoints it holds into their heads and
-- deletes exactly those it read; one written after its snapshot stays for the
-- next claim, so no wake-up is ever lost.
CREATE TABLE endpoint_queue (
  endpoint_id TEXT PRIMARY KEY,
  due_at      BIGINT
);
CREATE INDEX endpoint_queue_due ON endpoint_queue (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE endpoint_wakeups (
  id          BIGSERIAL PRIMARY KEY,
  endpoint_id TEXT NOT NULL,
  due_at      BIGINT NOT NULL
);

INSERT INTO endpoint_queue (endpoint_id, due_at)
  SELECT endpoint_id, min(next_attempt_at) FROM deliveries
  WHERE status = 'pending' AND next_attempt_at IS NOT NULL GROUP BY endpoint_id;

-- An insert leaves one wake-up per endpoint and statement, whatever the number
-- of rows (a 1,000-event batch: one row per endpoint).
CREATE FUNCTION herald_wake_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO endpoint_wakeups (endpoint_id, due_at)
    SELECT endpoint_id, min(next_attempt_at) FROM inserted_deliveries
    WHERE status = 'pending' AND next_attempt_at IS NOT NULL GROUP BY endpoint_id;
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_wake_on_insert AFTER INSERT ON deliveries
  REFERENCING NEW TABLE AS inserted_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION herald_wake_inserted();

-- An update wakes only for the rows it makes due: the hot updates (a lease, a
-- success) never run the function at all.
CREATE FUNCTION herald_wake_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO endpoint_wakeups (endpoint_id, due_at) VALUES (NEW.endpoint_id, NEW.next_attempt_at);
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_wake_on_update AFTER UPDATE OF status, next_attempt_at ON deliveries
  FOR EACH ROW
  WHEN (NEW.status = 'pending' AND NEW.next_attempt_at IS NOT NULL
    AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.next_attempt_at IS DISTINCT FROM NEW.next_attempt_at))
  EXECUTE FUNCTION herald_wake_updated();
