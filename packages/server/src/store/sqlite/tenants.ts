import type { ApiKey, NewApiKey, Page, PageRequest, Tenant } from '../../domain/types.ts';
import { decodeCursor, invalidCursor, pageLimit, toPage } from '../cursor.ts';
import { apiKeyListSql } from '../list-sql.ts';
import type { ApiKeyFilter, EnvKeyResult, TenantPatch } from '../port.ts';
import { OrderedParams } from '../sql-params.ts';
import { apiKeyExists, tenantExists } from '../store-errors.ts';
import { type Db, isUniqueViolation, type Statement, StatementCache } from './db.ts';
import { type ApiKeyRow, apiKeyFromRow, roleOf, type TenantRow, tenantFromRow } from './rows.ts';

/** API keys and tenants: small tables, read on every request (keys) or rarely (tenants). */
export class SqliteTenants {
  private readonly insertKey: Statement;
  private readonly keyByHash: Statement;
  private readonly adminKeyCount: Statement;
  private readonly revokeKey: Statement;
  private readonly revokeOtherEnvKeys: Statement;
  private readonly markEnvKey: Statement;
  private readonly touchKey: Statement;
  private readonly putEnvKeyTx: { immediate(key: NewApiKey, now: number): EnvKeyResult };
  private readonly statements: StatementCache;
  private readonly insertTenant: Statement;
  private readonly tenantById: Statement;
  private readonly firstTenants: Statement;
  private readonly tenantsAfter: Statement;
  private readonly updateTenantRow: Statement;
  private readonly deleteOwned: Statement[];
  private readonly deleteTenantRow: Statement;

  constructor(private readonly db: Db) {
    this.insertKey = db.prepare(
      `INSERT INTO api_keys (id, hash, tenant_id, name, created_at, expires_at, role, source)
       VALUES (@id, @hash, @tenantId, @name, @createdAt, @expiresAt, @role, @source)`,
    );
    this.keyByHash = db.prepare('SELECT * FROM api_keys WHERE hash = ?');
    this.adminKeyCount = db
      .prepare(
        'SELECT count(*) FROM api_keys WHERE tenant_id IS NULL AND expires_at IS NULL AND revoked_at IS NULL',
      )
      .pluck();
    this.revokeKey = db.prepare(
      `UPDATE api_keys SET revoked_at = @now
       WHERE id = @id AND revoked_at IS NULL AND (@tenantId IS NULL OR tenant_id = @tenantId) RETURNING *`,
    );
    this.revokeOtherEnvKeys = db
      .prepare(
        `UPDATE api_keys SET revoked_at = @now
         WHERE source = 'env' AND tenant_id IS NULL AND revoked_at IS NULL AND hash != @hash RETURNING id`,
      )
      .pluck();
    this.markEnvKey = db.prepare("UPDATE api_keys SET source = 'env' WHERE id = ?");
    this.touchKey = db.prepare(
      'UPDATE api_keys SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)',
    );
    // IMMEDIATE: two processes starting at once take turns, so the second finds the first's row.
    this.putEnvKeyTx = db.transaction((key: NewApiKey, now: number) => this.putEnvKeyInTx(key, now));
    this.statements = new StatementCache(db);
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

  createApiKey(key: NewApiKey): void {
    try {
      this.insertKey.run({
        id: key.id,
        hash: key.hash,
        tenantId: key.tenantId,
        name: key.name,
        createdAt: key.createdAt,
        expiresAt: key.expiresAt,
        role: roleOf(key),
        source: key.source ?? 'api',
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw apiKeyExists();
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

  listApiKeys(filter: ApiKeyFilter, page: PageRequest): Page<ApiKey> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new OrderedParams();
    const sql = apiKeyListSql(p, filter, after, limit + 1);
    const rows = this.statements.get(sql).all(...p.values) as ApiKeyRow[];
    return toPage(rows, limit, apiKeyFromRow, (r) => r.id);
  }

  revokeApiKey(id: string, now: number, scope?: { tenantId: string }): ApiKey | null {
    const row = this.revokeKey.get({ id, now, tenantId: scope?.tenantId ?? null }) as ApiKeyRow | undefined;
    return row ? apiKeyFromRow(row) : null;
  }

  putEnvAdminKey(key: NewApiKey, now: number): EnvKeyResult {
    return this.putEnvKeyTx.immediate(key, now);
  }

  private putEnvKeyInTx(key: NewApiKey, now: number): EnvKeyResult {
    const row = this.keyByHash.get(key.hash) as ApiKeyRow | undefined;
    if (row?.tenant_id != null) return { status: 'tenant_key', keyId: row.id };
    if (row?.revoked_at != null) return { status: 'revoked', keyId: row.id, revokedAt: row.revoked_at };
    // The generated key copied into HERALD_API_KEY becomes the variable's key: the next change revokes it.
    if (row && row.source !== 'env') this.markEnvKey.run(row.id);
    if (!row) this.createApiKey({ ...key, tenantId: null, role: 'admin', source: 'env' });
    const revokedIds = this.revokeOtherEnvKeys.all({ hash: key.hash, now }) as string[];
    return { status: row ? 'kept' : 'created', keyId: row?.id ?? key.id, revokedIds };
  }

  touchApiKey(id: string, at: number): void {
    this.touchKey.run({ id, at });
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
      if (isUniqueViolation(err)) throw tenantExists(tenant.id);
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
