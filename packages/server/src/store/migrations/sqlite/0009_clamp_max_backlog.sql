-- maxBacklog was unbounded before the API range-checked it (1 – 10,000,000).
-- A value past what the claim's integer arithmetic holds (1e20 was stored as
-- a REAL) made every event for that endpoint fail to insert; cap what is
-- stored at the new maximum so such an endpoint works again.
UPDATE endpoints SET max_backlog = 10000000 WHERE max_backlog > 10000000;
