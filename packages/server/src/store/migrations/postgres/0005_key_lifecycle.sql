-- Key lifecycle (issue 12): what a key may do (role), where it came from
-- (source: only HERALD_API_KEY's own keys are revoked when the variable
-- changes), when it was last used (written at most once a minute per key
-- per process), and revocation, kept as a row so the list can show what was
-- revoked when.
ALTER TABLE api_keys
  ADD COLUMN role TEXT COLLATE "C" NOT NULL DEFAULT 'tenant',   -- admin | tenant | portal
  ADD COLUMN source TEXT COLLATE "C" NOT NULL DEFAULT 'api',    -- api | env | generated
  ADD COLUMN last_used_at BIGINT,
  ADD COLUMN revoked_at BIGINT;

UPDATE api_keys SET role = 'admin' WHERE tenant_id IS NULL;
-- Portal links issued before this version get the portal role too, not a tenant token's rights.
UPDATE api_keys SET role = 'portal'
  WHERE tenant_id IS NOT NULL AND name = 'portal session' AND expires_at IS NOT NULL;
UPDATE api_keys SET source = 'env' WHERE tenant_id IS NULL AND name = 'HERALD_API_KEY';
UPDATE api_keys SET source = 'generated' WHERE tenant_id IS NULL AND name = 'generated';

-- A tenant's tokens, newest first.
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
