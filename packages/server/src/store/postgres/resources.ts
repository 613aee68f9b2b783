import type { Page, PageRequest } from '../../domain/types.ts';
import { keyPageSql, type ResourceRow, resourcePage, resourcesPage } from '../list-sql.ts';
import { Params, type Pool, withTx } from './db.ts';
import { ownsEndpoint } from './endpoints.ts';

/**
 * Per-resource subscriptions, keyed (endpoint, resource) so that adding,
 * removing and matching stay index lookups at 100k+ per endpoint. Resource
 * ids sort bytewise (COLLATE "C"), as they do in SQLite, so cursors agree.
 */
export class PgResources {
  constructor(private readonly pool: Pool) {}

  addResource(tenantId: string, endpointId: string, resourceId: string, now: number): Promise<boolean> {
    return withTx(this.pool, async (client) => {
      if (!(await ownsEndpoint(client, tenantId, endpointId))) return false;
      await client.query(
        `INSERT INTO endpoint_resources (endpoint_id, resource_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [endpointId, resourceId, now],
      );
      // The flag flips once; bumping updated_at then tells endpoint caches to reload.
      await client.query(
        'UPDATE endpoints SET has_resources = TRUE, updated_at = $1 WHERE id = $2 AND NOT has_resources',
        [now, endpointId],
      );
      return true;
    });
  }

  async removeResource(tenantId: string, endpointId: string, resourceId: string): Promise<boolean> {
    // has_resources stays set: an endpoint whose last resource is removed
    // receives no resource events rather than suddenly receiving all of them.
    const result = await this.pool.query(
      `DELETE FROM endpoint_resources WHERE endpoint_id = $1 AND resource_id = $2
         AND EXISTS (SELECT 1 FROM endpoints WHERE id = $1 AND tenant_id = $3)`,
      [endpointId, resourceId, tenantId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async hasResource(endpointId: string, resourceId: string): Promise<boolean> {
    const result = await this.pool.query(
      'SELECT 1 FROM endpoint_resources WHERE endpoint_id = $1 AND resource_id = $2',
      [endpointId, resourceId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async listResources(
    endpointId: string,
    page: PageRequest,
  ): Promise<Page<{ resourceId: string; createdAt: number }>> {
    const p = new Params();
    const { sql, limit } = keyPageSql(p, resourcePage(endpointId, 'resource_id COLLATE "C"'), page);
    return resourcesPage((await this.pool.query<ResourceRow>(sql, p.values)).rows, limit);
  }

  async matchResources(
    endpointIds: string[],
    resources: string[],
  ): Promise<{ endpointId: string; resourceId: string }[]> {
    if (endpointIds.length === 0 || resources.length === 0) return [];
    const { rows } = await this.pool.query<{ endpointId: string; resourceId: string }>(
      `SELECT endpoint_id AS "endpointId", resource_id AS "resourceId" FROM endpoint_resources
       WHERE endpoint_id = ANY($1::text[]) AND resource_id = ANY($2::text[])`,
      [endpointIds, resources],
    );
    return rows;
  }
}
