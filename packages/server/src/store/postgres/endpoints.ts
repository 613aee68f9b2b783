import type { Endpoint, Page, PageRequest } from '../../domain/types.ts';
import { toPage } from '../cursor.ts';
import { ENDPOINT_PAGE, keyPageSql } from '../list-sql.ts';
import type { EndpointPatch } from '../port.ts';
import { endpointExists, endpointTenantMissing } from '../store-errors.ts';
import { updateDue } from './bulk-due.ts';
import { isForeignKeyViolation, isUniqueViolation, Params, type Pool, type Queryable, withTx } from './db.ts';
import {
  ENDPOINT_COLUMNS,
  type EndpointRow,
  endpointFromRow,
  endpointValues,
  patchedEndpoint,
} from './endpoint-rows.ts';

const INSERT_SQL = `INSERT INTO endpoints (${ENDPOINT_COLUMNS.join(', ')})
  VALUES (${ENDPOINT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

// id ($1) and tenant_id ($2) select the row; created_at never changes, so it is not a parameter.
const UPDATE_COLUMNS = ENDPOINT_COLUMNS.filter((c) => c !== 'created_at');
const UPDATE_SQL = `UPDATE endpoints SET ${UPDATE_COLUMNS.map((c, i) => [c, i + 1] as const)
  .filter(([c]) => c !== 'id' && c !== 'tenant_id')
  .map(([c, n]) => `${c} = $${n}`)
  .join(', ')} WHERE id = $1 AND tenant_id = $2`;
const CREATED_AT_INDEX = ENDPOINT_COLUMNS.indexOf('created_at');

export class PgEndpoints {
  constructor(private readonly pool: Pool) {}

  async createEndpoint(endpoint: Endpoint): Promise<Endpoint> {
    try {
      await this.pool.query(INSERT_SQL, endpointValues(endpoint));
    } catch (err) {
      if (isUniqueViolation(err)) throw endpointExists(endpoint.id);
      if (isForeignKeyViolation(err)) throw endpointTenantMissing(endpoint.tenantId);
      throw err;
    }
    return (await this.getEndpoint(endpoint.tenantId, endpoint.id))!;
  }

  async getEndpoint(tenantId: string, id: string): Promise<Endpoint | null> {
    const { rows } = await this.pool.query<EndpointRow>(
      'SELECT * FROM endpoints WHERE id = $1 AND tenant_id = $2',
      [id, tenantId],
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  async getEndpointsByIds(ids: string[]): Promise<Endpoint[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<EndpointRow>(
      'SELECT * FROM endpoints WHERE id = ANY($1::text[])',
      [ids],
    );
    return rows.map(endpointFromRow);
  }

  async listEndpoints(tenantId: string, page: PageRequest): Promise<Page<Endpoint>> {
    const p = new Params();
    const { sql, limit } = keyPageSql(p, { ...ENDPOINT_PAGE, value: tenantId }, page);
    const { rows } = await this.pool.query<EndpointRow>(sql, p.values);
    return toPage(rows, limit, endpointFromRow, (r) => r.id);
  }

  async listReceivingEndpoints(tenantId: string): Promise<Endpoint[]> {
    const { rows } = await this.pool.query<EndpointRow>(
      "SELECT * FROM endpoints WHERE tenant_id = $1 AND status != 'disabled' ORDER BY id",
      [tenantId],
    );
    return rows.map(endpointFromRow);
  }

  updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null> {
    return withTx(this.pool, async (client) => {
      // Locked so that two concurrent patches apply one after the other, not lose one.
      const { rows } = await client.query<EndpointRow>(
        'SELECT * FROM endpoints WHERE id = $1 AND tenant_id = $2 FOR UPDATE',
        [id, tenantId],
      );
      if (!rows[0]) return null;
      const next = patchedEndpoint(endpointFromRow(rows[0]), patch, now);
      await client.query(
        UPDATE_SQL,
        endpointValues(next).filter((_, i) => i !== CREATED_AT_INDEX),
      );
      if (patch.status === 'active') await unpark(client, id, now);
      return next;
    });
  }

  deleteEndpoint(tenantId: string, id: string, now: number): Promise<boolean> {
    return withTx(this.pool, async (client) => {
      if (!(await ownsEndpoint(client, tenantId, id))) return false;
      // Deliveries are history: they stay (cancelled) after their endpoint is gone.
      // The endpoint row is locked only after them, in the claim's order (deliveries, then endpoint).
      await client.query(
        `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, lease_owner = NULL,
           lease_expires_at = NULL, completed_at = $1, updated_at = $1
         WHERE endpoint_id = $2 AND status IN ('pending', 'in_flight')`,
        [now, id],
      );
      await client.query('DELETE FROM endpoints WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
      return true;
    });
  }
}

/** Whether the endpoint is the tenant's (without a lock: callers that change it take their own). */
export async function ownsEndpoint(db: Queryable, tenantId: string, endpointId: string): Promise<boolean> {
  const found = await db.query('SELECT 1 FROM endpoints WHERE id = $1 AND tenant_id = $2', [
    endpointId,
    tenantId,
  ]);
  return (found.rowCount ?? 0) > 0;
}

/**
 * Makes the endpoint's parked deliveries due, from when each was created (so a
 * resumed backlog sorts before what arrived while it waited), with one wake-up
 * for all of them (bulk-due.ts).
 */
function unpark(client: Queryable, endpointId: string, now: number): Promise<number> {
  return updateDue(
    client,
    `UPDATE deliveries SET next_attempt_at = created_at, updated_at = $1
     WHERE endpoint_id = $2 AND status = 'pending' AND next_attempt_at IS NULL
     RETURNING endpoint_id, status, next_attempt_at`,
    [now, endpointId],
  );
}
