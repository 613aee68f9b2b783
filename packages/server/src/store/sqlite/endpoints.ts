import type { Endpoint, Page, PageRequest } from '../../domain/types.ts';
import { toPage } from '../cursor.ts';
import { ENDPOINT_PAGE, keyPageSql } from '../list-sql.ts';
import type { EndpointPatch } from '../port.ts';
import { OrderedParams } from '../sql-params.ts';
import { endpointExists, endpointTenantMissing } from '../store-errors.ts';
import {
  type Db,
  isForeignKeyViolation,
  isUniqueViolation,
  jsonList,
  type Statement,
  StatementCache,
} from './db.ts';
import {
  ENDPOINT_COLUMNS,
  type EndpointRow,
  endpointFromRow,
  endpointToRow,
  patchedEndpoint,
} from './endpoint-rows.ts';
import { SqliteParked, UNPARK_CHUNK } from './parked.ts';

const ASSIGNMENTS = ENDPOINT_COLUMNS.filter((c) => c !== 'id' && c !== 'tenant_id' && c !== 'created_at')
  .map((c) => `${c} = @${c}`)
  .join(', ');

export class SqliteEndpoints {
  private readonly insert: Statement;
  private readonly byTenantAndId: Statement;
  private readonly byIds: Statement;
  private readonly pages: StatementCache;
  private readonly receiving: Statement;
  private readonly update: Statement;
  private readonly parked: SqliteParked;
  private readonly cancelOpen: Statement;
  private readonly remove: Statement;
  private readonly updateTx: (
    tenantId: string,
    id: string,
    patch: EndpointPatch,
    now: number,
  ) => Endpoint | null;
  private readonly deleteTx: (tenantId: string, id: string, now: number) => boolean;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO endpoints (${ENDPOINT_COLUMNS.join(', ')}) VALUES (${ENDPOINT_COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    this.byTenantAndId = db.prepare('SELECT * FROM endpoints WHERE id = ? AND tenant_id = ?');
    this.byIds = db.prepare('SELECT * FROM endpoints WHERE id IN (SELECT value FROM json_each(?))');
    this.pages = new StatementCache(db);
    this.receiving = db.prepare(
      "SELECT * FROM endpoints WHERE tenant_id = ? AND status != 'disabled' ORDER BY id",
    );
    this.update = db.prepare(`UPDATE endpoints SET ${ASSIGNMENTS} WHERE id = @id AND tenant_id = @tenant_id`);
    this.parked = new SqliteParked(db);
    this.cancelOpen = db.prepare(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_owner = NULL,
         lease_expires_at = NULL, completed_at = ?, updated_at = ?
       WHERE endpoint_id = ? AND status IN ('pending', 'in_flight')`,
    );
    this.remove = db.prepare('DELETE FROM endpoints WHERE id = ? AND tenant_id = ?');
    this.updateTx = db.transaction((tenantId: string, id: string, patch: EndpointPatch, now: number) =>
      this.updateInTx(tenantId, id, patch, now),
    );
    this.deleteTx = db.transaction((tenantId: string, id: string, now: number) => {
      if (!this.byTenantAndId.get(id, tenantId)) return false;
      // Deliveries are history: they stay (cancelled) after their endpoint is gone.
      this.cancelOpen.run(now, now, id);
      this.remove.run(id, tenantId);
      return true;
    });
  }

  createEndpoint(endpoint: Endpoint): Endpoint {
    try {
      this.insert.run(endpointToRow(endpoint));
    } catch (err) {
      if (isUniqueViolation(err)) throw endpointExists(endpoint.id);
      if (isForeignKeyViolation(err)) throw endpointTenantMissing(endpoint.tenantId);
      throw err;
    }
    return this.getEndpoint(endpoint.tenantId, endpoint.id)!;
  }

  getEndpoint(tenantId: string, id: string): Endpoint | null {
    const row = this.byTenantAndId.get(id, tenantId) as EndpointRow | undefined;
    return row ? endpointFromRow(row) : null;
  }

  getEndpointsByIds(ids: string[]): Endpoint[] {
    if (ids.length === 0) return [];
    return (this.byIds.all(jsonList(ids)) as EndpointRow[]).map(endpointFromRow);
  }

  listEndpoints(tenantId: string, page: PageRequest): Page<Endpoint> {
    const p = new OrderedParams();
    const { sql, limit } = keyPageSql(p, { ...ENDPOINT_PAGE, value: tenantId }, page);
    return toPage(this.pages.get(sql).all(...p.values) as EndpointRow[], limit, endpointFromRow, (r) => r.id);
  }

  listReceivingEndpoints(tenantId: string): Endpoint[] {
    return (this.receiving.all(tenantId) as EndpointRow[]).map(endpointFromRow);
  }

  updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number): Endpoint | null {
    return this.updateTx(tenantId, id, patch, now);
  }

  private updateInTx(tenantId: string, id: string, patch: EndpointPatch, now: number): Endpoint | null {
    const row = this.byTenantAndId.get(id, tenantId) as EndpointRow | undefined;
    if (!row) return null;
    const next = patchedEndpoint(endpointFromRow(row), patch, now);
    this.update.run(endpointToRow(next));
    // The first chunk of what waited is due at once; each claim makes the next
    // due (parked.ts). A batching endpoint gathers all of it at once, as its batch claim expects.
    if (patch.status === 'active') this.parked.unpark(id, now, next.batch ? 'all' : UNPARK_CHUNK);
    return next;
  }

  deleteEndpoint(tenantId: string, id: string, now: number): boolean {
    return this.deleteTx(tenantId, id, now);
  }
}
