-- Short-lived keys (customer-portal sessions) carry an expiry; NULL = until deleted.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
