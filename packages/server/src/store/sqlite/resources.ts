import type { Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import { type Db, jsonList, type Statement } from './db.ts';

interface ResourceRow {
  resource_id: string;
  created_at: number;
}

/**
 * Per-resource subscriptions. A table keyed (endpoint, resource) so that
 * adding, removing and matching stay index lookups at 100k+ per endpoint.
 */
export class SqliteResources {
  private readonly ownsEndpoint: Statement;
  private readonly insert: Statement;
  private readonly markHasResources: Statement;
  private readonly remove: Statement;
  private readonly exists: Statement;
  private readonly firstPage: Statement;
  private readonly pageAfter: Statement;
  private readonly match: Statement;
  private readonly addTx: (tenantId: string, endpointId: string, resourceId: string, now: number) => boolean;
  private readonly removeTx: (tenantId: string, endpointId: string, resourceId: string) => boolean;

  constructor(db: Db) {
    this.ownsEndpoint = db.prepare('SELECT 1 FROM endpoints WHERE id = ? AND tenant_id = ?').pluck();
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO endpoint_resources (endpoint_id, resource_id, created_at) VALUES (?, ?, ?)',
    );
    // The flag flips once; bumping updated_at then tells endpoint caches to reload.
    this.markHasResources = db.prepare(
      'UPDATE endpoints SET has_resources = 1, updated_at = ? WHERE id = ? AND has_resources = 0',
    );
    this.remove = db.prepare('DELETE FROM endpoint_resources WHERE endpoint_id = ? AND resource_id = ?');
    this.exists = db
      .prepare('SELECT 1 FROM endpoint_resources WHERE endpoint_id = ? AND resource_id = ?')
      .pluck();
    this.firstPage = db.prepare(
      'SELECT resource_id, created_at FROM endpoint_resources WHERE endpoint_id = ? ORDER BY resource_id LIMIT ?',
    );
    this.pageAfter = db.prepare(
      `SELECT resource_id, created_at FROM endpoint_resources
       WHERE endpoint_id = ? AND resource_id > ? ORDER BY resource_id LIMIT ?`,
    );
    this.match = db.prepare(
      `SELECT endpoint_id AS endpointId, resource_id AS resourceId FROM endpoint_resources
       WHERE endpoint_id IN (SELECT value FROM json_each(?)) AND resource_id IN (SELECT value FROM json_each(?))`,
    );
    this.addTx = db.transaction((tenantId: string, endpointId: string, resourceId: string, now: number) => {
      if (!this.ownsEndpoint.get(endpointId, tenantId)) return false;
      this.insert.run(endpointId, resourceId, now);
      this.markHasResources.run(now, endpointId);
      return true;
    });
    this.removeTx = db.transaction((tenantId: string, endpointId: string, resourceId: string) => {
      if (!this.ownsEndpoint.get(endpointId, tenantId)) return false;
      // has_resources stays set: an endpoint whose last resource is removed
      // receives no resource events rather than suddenly receiving all of them.
      return this.remove.run(endpointId, resourceId).changes > 0;
    });
  }

  addResource(tenantId: string, endpointId: string, resourceId: string, now: number): boolean {
    return this.addTx(tenantId, endpointId, resourceId, now);
  }

  removeResource(tenantId: string, endpointId: string, resourceId: string): boolean {
    return this.removeTx(tenantId, endpointId, resourceId);
  }

  hasResource(endpointId: string, resourceId: string): boolean {
    return this.exists.get(endpointId, resourceId) !== undefined;
  }

  listResources(endpointId: string, page: PageRequest): Page<{ resourceId: string; createdAt: number }> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const rows = (
      after === null
        ? this.firstPage.all(endpointId, limit + 1)
        : this.pageAfter.all(endpointId, after, limit + 1)
    ) as ResourceRow[];
    return toPage(
      rows,
      limit,
      (r) => ({ resourceId: r.resource_id, createdAt: r.created_at }),
      (r) => r.resource_id,
    );
  }

  matchResources(endpointIds: string[], resources: string[]): { endpointId: string; resourceId: string }[] {
    if (endpointIds.length === 0 || resources.length === 0) return [];
    return this.match.all(jsonList(endpointIds), jsonList(resources)) as {
      endpointId: string;
      resourceId: string;
    }[];
  }
}
