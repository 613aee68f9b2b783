-- A statement that makes many deliveries of one endpoint due at once (an
-- endpoint activated with a parked backlog) leaves one wake-up itself and
-- silences the per-row trigger for its transaction with
-- SET LOCAL herald.quiet_wakeups = 'on'. Before this, activating an endpoint
-- with 100,000 parked deliveries wrote 100,000 wake-ups (5 s), which the
-- claims then read a thousand at a time.
DROP TRIGGER deliveries_wake_on_update ON deliveries;
CREATE TRIGGER deliveries_wake_on_update AFTER UPDATE OF status, next_attempt_at ON deliveries
  FOR EACH ROW
  WHEN (NEW.status = 'pending' AND NEW.next_attempt_at IS NOT NULL
    AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.next_attempt_at IS DISTINCT FROM NEW.next_attempt_at)
    AND current_setting('herald.quiet_wakeups', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION herald_wake_updated();
