import type { Delivery, DeliveryStatus, HeraldEvent, Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import { assertSameEvent } from '../idempotency.ts';
import { deliveryCountSql, eventListSql } from '../list-sql.ts';
import type { EventFilter, InsertedEvent, NewEvent } from '../port.ts';
import { eventTenantsMissing } from '../store-errors.ts';
import {
  isForeignKeyViolation,
  isUniqueViolation,
  Params,
  type Pool,
  pushRow,
  type Queryable,
  withTx,
} from './db.ts';
import { trimBacklogs } from './flow.ts';
import { type DeliveryRow, deliveryFromRow, type EventRow, eventFromRow, eventValues } from './rows.ts';

/** Events and their deliveries: the ingest hot path and the event views. */
/**
 * Stores events and their deliveries in one statement and answers the
 * drop-oldest endpoints among them (read without locks: trimBacklogs locks them).
 */
const INSERT_SQL = `
  WITH ev AS (
    INSERT INTO events (id, tenant_id, type, version, resource, payload, idempotency_key, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int8[])
    RETURNING id, created_at
  ), dl AS (
    INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
      next_trigger, created_at, updated_at)
    SELECT d.id, d.tenant_id, d.endpoint_id, d.event_id, 'pending', 0, d.due, 'scheduled', e.created_at, e.created_at
    FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::int8[]) AS d(id, tenant_id, endpoint_id, event_id, due)
    JOIN ev AS e ON e.id = d.event_id
    RETURNING endpoint_id
  )
  SELECT p.id FROM endpoints AS p
  WHERE p.id IN (SELECT endpoint_id FROM dl) AND p.overflow = 'drop-oldest' AND p.max_backlog IS NOT NULL`;

export class PgEvents {
  constructor(
    private readonly pool: Pool,
    private readonly onDropped: (count: number) => void = () => {},
  ) {}

  async insertEvents(events: NewEvent[]): Promise<InsertedEvent[]> {
    if (events.length === 0) return [];
    for (let round = 0; ; round++) {
      try {
        const { results, dropped } = await withTx(this.pool, (client) => this.insertInTx(client, events));
        if (dropped > 0) this.onDropped(dropped);
        return results;
      } catch (err) {
        // Another process stored the same idempotency key first: run again and
        // answer with its event, as if it had been there from the start.
        if (isUniqueViolation(err) && round < 2) continue;
        if (isForeignKeyViolation(err)) throw await this.unknownTenant(events);
        throw err;
      }
    }
  }

  private async insertInTx(
    client: Queryable,
    events: NewEvent[],
  ): Promise<{ results: InsertedEvent[]; dropped: number }> {
    const results: InsertedEvent[] = [];
    let dropped = 0;
    const endpointIds = [...new Set(events.flatMap((e) => e.deliveries.map((d) => d.endpointId)))];
    // Callers park deliveries of endpoints that looked inactive; one activated
    // meanwhile has already run its unpark, so its deliveries are made due here.
    const active = new Set<string>();
    if (events.some((e) => e.deliveries.some((d) => d.nextAttemptAt === null))) {
      const { rows } = await client.query<{ id: string }>(
        "SELECT id FROM endpoints WHERE id = ANY($1::text[]) AND status = 'active'",
        [endpointIds],
      );
      for (const r of rows) active.add(r.id);
    }
    const ev: unknown[][] = [[], [], [], [], [], [], [], []];
    const dl: unknown[][] = [[], [], [], [], []];
    const seenKeys = new Map<string, InsertedEvent>();
    for (const [index, { event, deliveries, versionGiven }] of events.entries()) {
      if (event.idempotencyKey !== null) {
        const key = `${event.tenantId}\n${event.idempotencyKey}`;
        const earlier =
          seenKeys.get(key) ?? (await this.earlier(client, event.tenantId, event.idempotencyKey));
        if (earlier) {
          // Throwing inside the transaction rolls back every event of the call.
          assertSameEvent(earlier.event, event, versionGiven ?? true, index);
          results.push({ ...earlier, duplicate: true });
          continue;
        }
      }
      pushRow(ev, eventValues(event));
      const deliveryIds: string[] = [];
      for (const d of deliveries) {
        const due = d.nextAttemptAt ?? (active.has(d.endpointId) ? event.createdAt : null);
        pushRow(dl, [d.id, event.tenantId, d.endpointId, event.id, due]);
        deliveryIds.push(d.id);
      }
      const inserted: InsertedEvent = { event, deliveryIds, duplicate: false };
      if (event.idempotencyKey !== null) seenKeys.set(`${event.tenantId}\n${event.idempotencyKey}`, inserted);
      results.push(inserted);
    }
    // One statement whatever the batch size: the events, their deliveries, and which of
    // the endpoints involved keep only their newest maxBacklog (drop-oldest).
    if (ev[0]!.length > 0) {
      const { rows } = await client.query<{ id: string }>(INSERT_SQL, [...ev, ...dl]);
      if (rows.length > 0) {
        const now = Math.max(...events.map((e) => e.event.createdAt));
        dropped = await trimBacklogs(
          client,
          rows.map((r) => r.id),
          now,
        );
      }
    }
    return { results, dropped };
  }

  private async earlier(client: Queryable, tenantId: string, key: string): Promise<InsertedEvent | null> {
    const { rows } = await client.query<EventRow>(
      'SELECT * FROM events WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, key],
    );
    if (!rows[0]) return null;
    const ids = await client.query<{ id: string }>(
      'SELECT id FROM deliveries WHERE event_id = $1 ORDER BY id',
      [rows[0].id],
    );
    return { event: eventFromRow(rows[0]), deliveryIds: ids.rows.map((r) => r.id), duplicate: true };
  }

  private async unknownTenant(events: NewEvent[]): Promise<Error> {
    const ids = [...new Set(events.map((e) => e.event.tenantId))];
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM tenants WHERE id = ANY($1::text[])',
      [ids],
    );
    const known = new Set(rows.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    return eventTenantsMissing(unknown);
  }

  async findEventByIdempotencyKey(tenantId: string, key: string): Promise<HeraldEvent | null> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT * FROM events WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenantId, key],
    );
    return rows[0] ? eventFromRow(rows[0]) : null;
  }

  async getEvent(tenantId: string, id: string): Promise<HeraldEvent | null> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT * FROM events WHERE id = $1 AND tenant_id = $2',
      [id, tenantId],
    );
    return rows[0] ? eventFromRow(rows[0]) : null;
  }

  async listEvents(tenantId: string, filter: EventFilter, page: PageRequest): Promise<Page<HeraldEvent>> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new Params();
    const sql = eventListSql(p, tenantId, filter, after, limit + 1);
    const { rows } = await this.pool.query<EventRow>(sql, p.values);
    return toPage(rows, limit, eventFromRow, (r) => r.id);
  }

  async listDeliveriesForEvent(tenantId: string, eventId: string): Promise<Delivery[]> {
    const { rows } = await this.pool.query<DeliveryRow>(
      'SELECT * FROM deliveries WHERE event_id = $1 AND tenant_id = $2 ORDER BY id',
      [eventId, tenantId],
    );
    return rows.map(deliveryFromRow);
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const { rows } = await this.pool.query<DeliveryRow>('SELECT * FROM deliveries WHERE id = $1', [id]);
    return rows[0] ? deliveryFromRow(rows[0]) : null;
  }

  async countDeliveries(filter: { status?: DeliveryStatus; endpointId?: string }): Promise<number> {
    const p = new Params();
    const { rows } = await this.pool.query<{ n: number }>(deliveryCountSql(p, filter), p.values);
    return rows[0]?.n ?? 0;
  }
}
