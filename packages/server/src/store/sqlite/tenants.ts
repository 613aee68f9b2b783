import { HeraldError } from '../../domain/errors.ts';
import type { ApiKey, Page, PageRequest, Tenant } from '../../domain/types.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
import type { TenantPatch } from '../port.ts';
import { type Db, isUniqueViolation, type Statement } from './db.ts';
import { type ApiKeyRow, apiKeyFromRow, type TenantRow, tenantFromRow } from './rows.ts';

/** API keys and tenants: small tables, read on every request (keys) or rarely (tenants). */
export class SqliteTenants {
  private readonly insertKey: Statement;
  private readonly keyByHash: Statement;
  private readonly adminKeyCount: Statement;
  private readonly insertTenant: Statement;
  private readonly tenantById: Statement;
  private readonly firstTenants: Statement;
  private readonly tenantsAfter: Statement;
  private readonly updateTenantRow: Statement;
  private readonly deleteOwned: Statement[];
  private readonly deleteTenantRow: Statement;

  constructor(private readonly db: Db) {
    this.insertKey = db.prepare(
      'INSERT INTO api_keys (id, hash, tenant_id, name, created_at, expires_at) VALUES (@id, @hash, @tenantId, @name, @createdAt, @expiresAt)',
    );
    this.keyByHash = db.prepare('SELECT * FROM api_keys WHERE hash = ?');
    this.adminKeyCount = db
      .prepare('SELECT count(*) FROM api_keys WHERE tenant_id IS NULL AND expires_at IS NULL')
      .pluck();
    this.insertTenant = db.prepare(
      'INSERT INTO tenants (id, name, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.tenantById = db.prepare('SELECT * FROM tenants WHERE id = ?');
    // Tenant ids may be chosen by the user, so "newest first" sorts by creation time, id breaking ties.
    this.firstTenants = db.prepare('SELECT * FROM tenants ORDER BY created_at DESC, id DESC LIMIT ?');
    this.tenantsAfter = db.prepare(
      `SELECT * FROM tenants WHERE created_at < @at OR (created_at = @at AND id < @id)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    );
    this.updateTenantRow = db.prepare(
      'UPDATE tenants SET name = ?, metadata = ?, updated_at = ? WHERE id = ?',
    );
    // Explicit deletes (rather than relying on cascades) also reach tables without foreign keys.
    this.deleteOwned = [
      'DELETE FROM attempts WHERE tenant_id = ?',
      'DELETE FROM deliveries WHERE tenant_id = ?',
      'DELETE FROM events WHERE tenant_id = ?',
      'DELETE FROM endpoint_resources WHERE endpoint_id IN (SELECT id FROM endpoints WHERE tenant_id = ?)',
      'DELETE FROM endpoints WHERE tenant_id = ?',
      'DELETE FROM api_keys WHERE tenant_id = ?',
    ].map((sql) => db.prepare(sql));
    this.deleteTenantRow = db.prepare('DELETE FROM tenants WHERE id = ?');
  }

  createApiKey(key: ApiKey): void {
    try {
      this.insertKey.run(key);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new HeraldError('conflict', 'an API key with this id or hash exists already');
      throw err;
    }
  }

  findApiKeyByHash(hash: string): ApiKey | null {
    const row = this.keyByHash.get(hash) as ApiKeyRow | undefined;
    return row ? apiKeyFromRow(row) : null;
  }

  countAdminKeys(): number {
    return this.adminKeyCount.get() as number;
  }

  createTenant(tenant: Tenant): Tenant {
    try {
      this.insertTenant.run(
        tenant.id,
        tenant.name,
        JSON.stringify(tenant.metadata ?? {}),
        tenant.createdAt,
        tenant.updatedAt,
      );
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new HeraldError(
          'conflict',
          `tenant '${tenant.id}' exists already; choose another id or update it`,
        );
      }
      throw err;
    }
    return this.getTenant(tenant.id)!;
  }

  getTenant(id: string): Tenant | null {
    const row = this.tenantById.get(id) as TenantRow | undefined;
    return row ? tenantFromRow(row) : null;
  }

  listTenants(page: PageRequest): Page<Tenant> {
    const limit = pageLimit(page.limit);
    const key = decodeCursor(page.cursor);
    let rows: TenantRow[];
    if (key === null) {
      rows = this.firstTenants.all(limit + 1) as TenantRow[];
    } else {
      const colon = key.indexOf(':');
      const at = Number(key.slice(0, colon));
      if (colon < 1 || !Number.isSafeInteger(at)) throw invalidCursor();
      rows = this.tenantsAfter.all({ at, id: key.slice(colon + 1), limit: limit + 1 }) as TenantRow[];
    }
    return toPage(rows, limit, tenantFromRow, (r) => `${r.created_at}:${r.id}`);
  }

  updateTenant(id: string, patch: TenantPatch, now: number): Tenant | null {
    const current = this.getTenant(id);
    if (!current) return null;
    const name = patch.name ?? current.name;
    const metadata = patch.metadata ?? current.metadata;
    this.updateTenantRow.run(name, JSON.stringify(metadata), now, id);
    return { ...current, name, metadata, updatedAt: now };
  }

  deleteTenant(id: string): boolean {
    return this.db.transaction(() => {
      if (!this.tenantById.get(id)) return false;
      for (const statement of this.deleteOwned) statement.run(id);
      this.deleteTenantRow.run(id);
      return true;
    })();
  }
}
