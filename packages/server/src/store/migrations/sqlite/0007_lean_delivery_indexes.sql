-- Fewer index writes per delivery. deliveries_endpoint held every delivery
-- by (endpoint_id, status), so each status change of each delivery rewrote an
-- entry in it; its readers now use deliveries_unfinished (pending and in
-- flight rows) or this small index of failed rows (bulk retry by endpoint).
CREATE INDEX deliveries_failed ON deliveries (endpoint_id, id) WHERE status = 'failed';
DROP INDEX deliveries_endpoint;
