import type { ApiKey, NewApiKey, Page, PageRequest, Tenant } from '../../domain/types.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
import { apiKeyListSql } from '../list-sql.ts';
import type { ApiKeyFilter, EnvKeyResult, TenantPatch } from '../port.ts';
import { apiKeyExists, tenantExists } from '../store-errors.ts';
import { isUniqueViolation, Params, type Pool, withTx } from './db.ts';
import { type ApiKeyRow, apiKeyFromRow, roleOf, type TenantRow, tenantFromRow } from './rows.ts';

/** Explicit deletes (rather than cascades) also reach tables without foreign keys. */
const DELETE_OWNED = [
  'DELETE FROM attempts WHERE tenant_id = $1',
  'DELETE FROM deliveries WHERE tenant_id = $1',
  'DELETE FROM events WHERE tenant_id = $1',
  'DELETE FROM endpoint_resources WHERE endpoint_id IN (SELECT id FROM endpoints WHERE tenant_id = $1)',
  'DELETE FROM endpoints WHERE tenant_id = $1',
  'DELETE FROM api_keys WHERE tenant_id = $1',
];

/** API keys and tenants: small tables, read on every request (keys) or rarely (tenants). */
export class PgTenants {
  constructor(private readonly pool: Pool) {}

  async createApiKey(key: NewApiKey): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO api_keys (id, hash, tenant_id, name, created_at, expires_at, role, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          key.id,
          key.hash,
          key.tenantId,
          key.name,
          key.createdAt,
          key.expiresAt,
          roleOf(key),
          key.source ?? 'api',
        ],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw apiKeyExists();
      throw err;
    }
  }

  async findApiKeyByHash(hash: string): Promise<ApiKey | null> {
    const { rows } = await this.pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    return rows[0] ? apiKeyFromRow(rows[0]) : null;
  }

  async countAdminKeys(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM api_keys WHERE tenant_id IS NULL AND expires_at IS NULL AND revoked_at IS NULL',
    );
    return rows[0]?.n ?? 0;
  }

  async listApiKeys(filter: ApiKeyFilter, page: PageRequest): Promise<Page<ApiKey>> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new Params();
    const sql = apiKeyListSql(p, filter, after, limit + 1);
    const { rows } = await this.pool.query<ApiKeyRow>(sql, p.values);
    return toPage(rows, limit, apiKeyFromRow, (r) => r.id);
  }

  async revokeApiKey(id: string, now: number, scope?: { tenantId: string }): Promise<ApiKey | null> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = $2
       WHERE id = $1 AND revoked_at IS NULL AND ($3::text IS NULL OR tenant_id = $3) RETURNING *`,
      [id, now, scope?.tenantId ?? null],
    );
    return rows[0] ? apiKeyFromRow(rows[0]) : null;
  }

  putEnvAdminKey(key: NewApiKey, now: number): Promise<EnvKeyResult> {
    return withTx(this.pool, async (client) => {
      // Processes starting at once take turns here, so the second finds the first's row and revokes nothing new.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('herald.env-key:' || current_schema()))");
      const found = await client.query<ApiKeyRow>('SELECT * FROM api_keys WHERE hash = $1', [key.hash]);
      const row = found.rows[0];
      if (row?.tenant_id != null) return { status: 'tenant_key' as const, keyId: row.id };
      if (row?.revoked_at != null) {
        return { status: 'revoked' as const, keyId: row.id, revokedAt: row.revoked_at };
      }
      // The generated key copied into HERALD_API_KEY becomes the variable's key: the next change revokes it.
      if (row && row.source !== 'env') {
        await client.query("UPDATE api_keys SET source = 'env' WHERE id = $1", [row.id]);
      }
      if (!row) {
        await client.query(
          `INSERT INTO api_keys (id, hash, tenant_id, name, created_at, expires_at, role, source)
           VALUES ($1, $2, NULL, $3, $4, $5, 'admin', 'env')`,
          [key.id, key.hash, key.name, key.createdAt, key.expiresAt],
        );
      }
      const revoked = await client.query<{ id: string }>(
        `UPDATE api_keys SET revoked_at = $2
         WHERE source = 'env' AND tenant_id IS NULL AND revoked_at IS NULL AND hash != $1 RETURNING id`,
        [key.hash, now],
      );
      return {
        status: row ? ('kept' as const) : ('created' as const),
        keyId: row?.id ?? key.id,
        revokedIds: revoked.rows.map((r) => r.id),
      };
    });
  }

  async touchApiKey(id: string, at: number): Promise<void> {
    await this.pool.query(
      'UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
      [id, at],
    );
  }

  async createTenant(tenant: Tenant): Promise<Tenant> {
    try {
      await this.pool.query(
        'INSERT INTO tenants (id, name, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)',
        [tenant.id, tenant.name, JSON.stringify(tenant.metadata ?? {}), tenant.createdAt, tenant.updatedAt],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw tenantExists(tenant.id);
      throw err;
    }
    return (await this.getTenant(tenant.id))!;
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const { rows } = await this.pool.query<TenantRow>('SELECT * FROM tenants WHERE id = $1', [id]);
    return rows[0] ? tenantFromRow(rows[0]) : null;
  }

  async listTenants(page: PageRequest): Promise<Page<Tenant>> {
    const limit = pageLimit(page.limit);
    const key = decodeCursor(page.cursor);
    let rows: TenantRow[];
    // Tenant ids may be chosen by the user, so "newest first" sorts by creation time, id breaking ties.
    if (key === null) {
      ({ rows } = await this.pool.query<TenantRow>(
        'SELECT * FROM tenants ORDER BY created_at DESC, id DESC LIMIT $1',
        [limit + 1],
      ));
    } else {
      const colon = key.indexOf(':');
      const at = Number(key.slice(0, colon));
      if (colon < 1 || !Number.isSafeInteger(at)) throw invalidCursor();
      ({ rows } = await this.pool.query<TenantRow>(
        `SELECT * FROM tenants WHERE (created_at, id) < ($1, $2)
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [at, key.slice(colon + 1), limit + 1],
      ));
    }
    return toPage(rows, limit, tenantFromRow, (r) => `${r.created_at}:${r.id}`);
  }

  async updateTenant(id: string, patch: TenantPatch, now: number): Promise<Tenant | null> {
    const current = await this.getTenant(id);
    if (!current) return null;
    const name = patch.name ?? current.name;
    const metadata = patch.metadata ?? current.metadata;
    await this.pool.query('UPDATE tenants SET name = $1, metadata = $2, updated_at = $3 WHERE id = $4', [
      name,
      JSON.stringify(metadata),
      now,
      id,
    ]);
    return { ...current, name, metadata, updatedAt: now };
  }

  deleteTenant(id: string): Promise<boolean> {
    return withTx(this.pool, async (client) => {
      const found = await client.query('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [id]);
      if (found.rowCount === 0) return false;
      for (const sql of DELETE_OWNED) await client.query(sql, [id]);
      await client.query('DELETE FROM tenants WHERE id = $1', [id]);
      return true;
    });
  }
}
