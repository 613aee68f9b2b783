-- The queue head per endpoint. due_at is a lower bound on when the endpoint's
-- earliest pending delivery is due (NULL: none has a due time). Triggers lower
-- it whenever a delivery becomes pending with a due time; only the claim
-- raises it, to the exact next due time it just read from the index below (or
-- to when flow control lets the endpoint send again). The claim walks these
-- few rows in due order and asks each endpoint with room for exactly its
-- room, so it never walks past a full endpoint's backlog.
CREATE TABLE endpoint_queue (
  endpoint_id  TEXT PRIMARY KEY,
  due_at       INTEGER
) WITHOUT ROWID;
CREATE INDEX endpoint_queue_due ON endpoint_queue (due_at) WHERE due_at IS NOT NULL;

-- One endpoint's due deliveries, in due order.
CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at)
  WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
DROP INDEX deliveries_due;

INSERT INTO endpoint_queue (endpoint_id, due_at)
  SELECT endpoint_id, min(next_attempt_at) FROM deliveries
  WHERE status = 'pending' AND next_attempt_at IS NOT NULL GROUP BY endpoint_id;

CREATE TRIGGER deliveries_due_on_insert AFTER INSERT ON deliveries
  WHEN NEW.status = 'pending' AND NEW.next_attempt_at IS NOT NULL
BEGIN
  INSERT INTO endpoint_queue (endpoint_id, due_at) VALUES (NEW.endpoint_id, NEW.next_attempt_at)
    ON CONFLICT (endpoint_id) DO UPDATE SET due_at = excluded.due_at
    WHERE endpoint_queue.due_at IS NULL OR excluded.due_at < endpoint_queue.due_at;
END;

CREATE TRIGGER deliveries_due_on_update AFTER UPDATE OF status, next_attempt_at ON deliveries
  WHEN NEW.status = 'pending' AND NEW.next_attempt_at IS NOT NULL
BEGIN
  INSERT INTO endpoint_queue (endpoint_id, due_at) VALUES (NEW.endpoint_id, NEW.next_attempt_at)
    ON CONFLICT (endpoint_id) DO UPDATE SET due_at = excluded.due_at
    WHERE endpoint_queue.due_at IS NULL OR excluded.due_at < endpoint_queue.due_at;
END;

CREATE TRIGGER endpoints_delete_queue AFTER DELETE ON endpoints
BEGIN
  DELETE FROM endpoint_queue WHERE endpoint_id = OLD.id;
END;
