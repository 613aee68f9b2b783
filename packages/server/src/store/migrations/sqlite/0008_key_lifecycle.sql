-- Key lifecycle (issue 12): what a key may do (role), where it came from
-- (source: only HERALD_API_KEY's own keys are revoked when the variable
-- changes), when it was last used (written at most once a minute per key),
-- and revocation, kept as a row so the list can show what was revoked when.
ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'tenant';   -- admin | tenant | portal
ALTER TABLE api_keys ADD COLUMN source TEXT NOT NULL DEFAULT 'api';    -- api | env | generated
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;

UPDATE api_keys SET role = 'admin' WHERE tenant_id IS NULL;
-- Portal links issued before this version get the portal role too, not a tenant token's rights.
UPDATE api_keys SET role = 'portal'
  WHERE tenant_id IS NOT NULL AND name = 'portal session' AND expires_at IS NOT NULL;
UPDATE api_keys SET source = 'env' WHERE tenant_id IS NULL AND name = 'HERALD_API_KEY';
UPDATE api_keys SET source = 'generated' WHERE tenant_id IS NULL AND name = 'generated';

-- A tenant's tokens, newest first.
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
