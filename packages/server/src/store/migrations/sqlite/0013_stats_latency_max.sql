-- The slowest attempt of each rollup row (issue 14): latency percentiles are
-- estimated inside histogram buckets, and capped by it, so an endpoint whose
-- attempts time out just past its timeout never shows a p99 at the bucket's
-- upper bound. NULL in rows written before: no cap for those.
ALTER TABLE attempt_stats ADD COLUMN latency_max_ms INTEGER;
