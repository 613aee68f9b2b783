-- What a recovery job's retries came to (domain/retry-report.ts): how many
-- deliveries it queued and, for the rest, why not (circuit open, endpoint
-- paused, …), as JSON merged chunk by chunk. NULL for jobs made before.
ALTER TABLE jobs ADD COLUMN report TEXT;
