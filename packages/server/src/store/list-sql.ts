/**
 * The list queries both adapters build from a filter and a page cursor: the
 * same text on both but for the placeholders (sql-params.ts) and, where
 * PostgreSQL's collation differs, how a key sorts bytewise (`byteOrder`).
 */
import type { DeliveryStatus, Page, PageRequest } from '../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from './cursor.ts';
import type { ApiKeyFilter, EventFilter } from './port.ts';
import { type SqlParams, whereOf } from './sql-params.ts';

/** A tenant's events, newest first, after the cursor's id; fetch `limit` (one more than a page). */
export function eventListSql(
  p: SqlParams,
  tenantId: string,
  filter: EventFilter,
  after: string | null,
  limit: number,
): string {
  const where = [`tenant_id = ${p.add(tenantId)}`];
  if (filter.type !== undefined) where.push(`type = ${p.add(filter.type)}`);
  if (filter.resource !== undefined) where.push(`resource = ${p.add(filter.resource)}`);
  if (filter.since !== undefined) where.push(`created_at >= ${p.add(filter.since)}`);
  if (filter.until !== undefined) where.push(`created_at <= ${p.add(filter.until)}`);
  if (after !== null) where.push(`id < ${p.add(after)}`);
  return `SELECT * FROM events ${whereOf(where)} ORDER BY id DESC LIMIT ${p.add(limit)}`;
}

export function deliveryCountSql(p: SqlParams, filter: { status?: DeliveryStatus; endpointId?: string }) {
  const where: string[] = [];
  if (filter.endpointId !== undefined) where.push(`endpoint_id = ${p.add(filter.endpointId)}`);
  if (filter.status !== undefined) where.push(`status = ${p.add(filter.status)}`);
  return `SELECT count(*) AS n FROM deliveries ${whereOf(where)}`;
}

/** Event types by name ascending (`byteOrder`: the name as it sorts bytewise), after the cursor's name. */
export function eventTypeListSql(
  p: SqlParams,
  filter: { group?: string },
  after: string | null,
  limit: number,
  byteOrder: string,
): string {
  const where: string[] = [];
  if (filter.group !== undefined) where.push(`group_name = ${p.add(filter.group)}`);
  if (after !== null) where.push(`name > ${p.add(after)}`);
  return `SELECT * FROM event_types ${whereOf(where)} ORDER BY ${byteOrder} LIMIT ${p.add(limit)}`;
}

/** API keys, newest first, after the cursor's id; revoked ones only when asked for. */
export function apiKeyListSql(
  p: SqlParams,
  filter: ApiKeyFilter,
  after: string | null,
  limit: number,
): string {
  const where: string[] = [];
  if (filter.tenantId !== undefined) where.push(`tenant_id = ${p.add(filter.tenantId)}`);
  if (!filter.includeRevoked) where.push('revoked_at IS NULL');
  if (after !== null) where.push(`id < ${p.add(after)}`);
  return `SELECT * FROM api_keys ${whereOf(where)} ORDER BY id DESC LIMIT ${p.add(limit)}`;
}

/**
 * One page of a table's rows of one owner (`owner` = value), in `key` order
 * after the page's cursor: `key` as it sorts bytewise, `descending` for
 * newest first. Fetches one row more than the page (`limit`) to tell whether
 * another page follows (toPage).
 */
export function keyPageSql(
  p: SqlParams,
  q: { select: string; owner: string; value: string; key: string; descending: boolean },
  page: PageRequest,
): { sql: string; limit: number } {
  const limit = pageLimit(page.limit);
  const after = decodeCursor(page.cursor);
  const where = [`${q.owner} = ${p.add(q.value)}`];
  if (after !== null) where.push(`${q.key} ${q.descending ? '<' : '>'} ${p.add(after)}`);
  const order = `${q.key}${q.descending ? ' DESC' : ''}`;
  return { sql: `${q.select} ${whereOf(where)} ORDER BY ${order} LIMIT ${p.add(limit + 1)}`, limit };
}

/** A tenant's endpoints and jobs: newest first by id. */
export const ENDPOINT_PAGE = {
  select: 'SELECT * FROM endpoints',
  owner: 'tenant_id',
  key: 'id',
  descending: true,
};
export const JOB_PAGE = { select: 'SELECT * FROM jobs', owner: 'tenant_id', key: 'id', descending: true };

export interface ResourceRow {
  resource_id: string;
  created_at: number;
}

/** An endpoint's resources in id order (`key`: resource_id as it sorts bytewise, as both databases agree). */
export const resourcePage = (endpointId: string, key: string) => ({
  select: 'SELECT resource_id, created_at FROM endpoint_resources',
  owner: 'endpoint_id',
  value: endpointId,
  key,
  descending: false,
});

export const resourcesPage = (
  rows: ResourceRow[],
  limit: number,
): Page<{ resourceId: string; createdAt: number }> =>
  toPage(
    rows,
    limit,
    (r) => ({ resourceId: r.resource_id, createdAt: r.created_at }),
    (r) => r.resource_id,
  );
