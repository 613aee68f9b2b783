import type { Page, PageRequest } from '../../domain/types.ts';
import { keyPageSql, type ResourceRow, resourcePage, resourcesPage } from '../list-sql.ts';
import { OrderedParams } from '../sql-params.ts';
import { type Db, jsonList, type Statement, StatementCache } from './db.ts';

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
  private readonly pages: StatementCache;
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
    this.pages = new StatementCache(db);
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
    const p = new OrderedParams();
    const { sql, limit } = keyPageSql(p, resourcePage(endpointId, 'resource_id'), page);
    return resourcesPage(this.pages.get(sql).all(...p.values) as ResourceRow[], limit);
  }

  matchResources(endpointIds: string[], resources: string[]): { endpointId: string; resourceId: string }[] {
    if (endpointIds.length === 0 || resources.length === 0) return [];
    return this.match.all(jsonList(endpointIds), jsonList(resources)) as {
      endpointId: string;
      resourceId: string;
    }[];
  }
}
