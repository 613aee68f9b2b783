import type { Delivery, DeliveryStatus, HeraldEvent, Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import { assertSameEvent } from '../idempotency.ts';
import { deliveryCountSql, eventListSql } from '../list-sql.ts';
import type { EventFilter, InsertedEvent, NewEvent } from '../port.ts';
import { OrderedParams } from '../sql-params.ts';
import { eventTenantsMissing } from '../store-errors.ts';
import { type Db, isForeignKeyViolation, type Statement, type StatementCache } from './db.ts';
import { SqliteFlow } from './flow.ts';
import { type DeliveryRow, deliveryFromRow, type EventRow, eventFromRow, eventValues } from './rows.ts';

/** Events and their deliveries: the ingest hot path and the event views. */
export class SqliteEvents {
  private readonly byIdempotencyKey: Statement;
  private readonly insertEvent: Statement;
  private readonly insertDelivery: Statement;
  private readonly endpointIsActive: Statement;
  private readonly tenantExists: Statement;
  private readonly byTenantAndId: Statement;
  private readonly deliveryIdsOf: Statement;
  private readonly deliveriesOf: Statement;
  private readonly deliveryById: Statement;
  private readonly insertTx: (events: NewEvent[]) => InsertedEvent[];
  private readonly flow: SqliteFlow;
  /** Deliveries the last insert transaction dropped (drop-oldest), reported once it committed. */
  private droppedInTx = 0;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
    private readonly onDropped: (count: number) => void = () => {},
  ) {
    this.byIdempotencyKey = db.prepare('SELECT * FROM events WHERE tenant_id = ? AND idempotency_key = ?');
    this.insertEvent = db.prepare(
      `INSERT INTO events (id, tenant_id, type, version, resource, payload, idempotency_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertDelivery = db.prepare(
      `INSERT INTO deliveries (id, tenant_id, endpoint_id, event_id, status, attempts, next_attempt_at,
         next_trigger, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, 'scheduled', ?, ?)`,
    );
    this.endpointIsActive = db.prepare("SELECT 1 FROM endpoints WHERE id = ? AND status = 'active'").pluck();
    this.tenantExists = db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck();
    this.byTenantAndId = db.prepare('SELECT * FROM events WHERE id = ? AND tenant_id = ?');
    this.deliveryIdsOf = db.prepare('SELECT id FROM deliveries WHERE event_id = ? ORDER BY id').pluck();
    this.deliveriesOf = db.prepare(
      'SELECT * FROM deliveries WHERE event_id = ? AND tenant_id = ? ORDER BY id',
    );
    this.deliveryById = db.prepare('SELECT * FROM deliveries WHERE id = ?');
    this.flow = new SqliteFlow(db);
    this.insertTx = db.transaction((events: NewEvent[]) => {
      const inserted = events.map((item, index) => this.insertOne(item, index));
      // Drop-oldest endpoints keep only their newest maxBacklog pending deliveries, decided with the insert.
      const endpointIds = new Set(events.flatMap((e) => e.deliveries.map((d) => d.endpointId)));
      const now = Math.max(...events.map((e) => e.event.createdAt));
      this.droppedInTx = this.flow.trimBacklogs([...endpointIds], now);
      return inserted;
    });
  }

  insertEvents(events: NewEvent[]): InsertedEvent[] {
    if (events.length === 0) return [];
    try {
      this.droppedInTx = 0;
      const inserted = this.insertTx(events);
      if (this.droppedInTx > 0) this.onDropped(this.droppedInTx);
      return inserted;
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        const unknown = [...new Set(events.map((e) => e.event.tenantId))].filter(
          (id) => !this.tenantExists.get(id),
        );
        throw eventTenantsMissing(unknown);
      }
      throw err;
    }
  }

  private insertOne({ event, deliveries, versionGiven }: NewEvent, index: number): InsertedEvent {
    if (event.idempotencyKey !== null) {
      const earlier = this.byIdempotencyKey.get(event.tenantId, event.idempotencyKey) as EventRow | undefined;
      if (earlier) {
        // Throwing inside the transaction rolls back every event of the call.
        assertSameEvent(eventFromRow(earlier), event, versionGiven ?? true, index);
        return {
          event: eventFromRow(earlier),
          deliveryIds: this.deliveryIdsOf.all(earlier.id) as string[],
          duplicate: true,
        };
      }
    }
    this.insertEvent.run(...eventValues(event));
    const deliveryIds: string[] = [];
    for (const d of deliveries) {
      let due = d.nextAttemptAt;
      // The caller parked it because the endpoint looked inactive; if it was
      // activated meanwhile, the unpark already ran, so make it due here.
      if (due === null && this.endpointIsActive.get(d.endpointId)) due = event.createdAt;
      this.insertDelivery.run(
        d.id,
        event.tenantId,
        d.endpointId,
        event.id,
        due,
        event.createdAt,
        event.createdAt,
      );
      deliveryIds.push(d.id);
    }
    return { event, deliveryIds, duplicate: false };
  }

  findEventByIdempotencyKey(tenantId: string, key: string): HeraldEvent | null {
    const row = this.byIdempotencyKey.get(tenantId, key) as EventRow | undefined;
    return row ? eventFromRow(row) : null;
  }

  getEvent(tenantId: string, id: string): HeraldEvent | null {
    const row = this.byTenantAndId.get(id, tenantId) as EventRow | undefined;
    return row ? eventFromRow(row) : null;
  }

  listEvents(tenantId: string, filter: EventFilter, page: PageRequest): Page<HeraldEvent> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new OrderedParams();
    const sql = eventListSql(p, tenantId, filter, after, limit + 1);
    const rows = this.cache.get(sql).all(...p.values) as EventRow[];
    return toPage(rows, limit, eventFromRow, (r) => r.id);
  }

  listDeliveriesForEvent(tenantId: string, eventId: string): Delivery[] {
    return (this.deliveriesOf.all(eventId, tenantId) as DeliveryRow[]).map(deliveryFromRow);
  }

  getDelivery(id: string): Delivery | null {
    const row = this.deliveryById.get(id) as DeliveryRow | undefined;
    return row ? deliveryFromRow(row) : null;
  }

  countDeliveries(filter: { status?: DeliveryStatus; endpointId?: string }): number {
    const p = new OrderedParams();
    return this.cache
      .get(deliveryCountSql(p, filter))
      .pluck()
      .get(...p.values) as number;
  }
}
