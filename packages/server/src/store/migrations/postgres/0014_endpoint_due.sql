-- The claim takes an endpoint first and then exactly its room of due
-- deliveries (claim.ts): one endpoint's due deliveries, in due order, as a
-- range of this index. deliveries_due (all endpoints, in due order) stays for
-- finding which endpoints have work and when the next is due.
CREATE INDEX deliveries_endpoint_due ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
