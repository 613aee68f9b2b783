-- Test sends and mock events are no part of the delivery log: it lists them
-- only when asked for (trigger=test), and summaries never count them. One
-- index of the tenant's log in id order held both, so the default log walked
-- past every test send to fill a page, and trigger=test walked the whole log
-- to find a few. Two partial indexes split it instead: each attempt is still
-- written to one of them (store/attempt-log-sql.ts states their conditions).
CREATE INDEX attempts_logged ON attempts (tenant_id, id) WHERE trigger <> 'test';
CREATE INDEX attempts_tests ON attempts (tenant_id, id) WHERE trigger = 'test';
DROP INDEX attempts_tenant;
