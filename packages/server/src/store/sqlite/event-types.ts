import type { EventType, Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import { toEventType, versionsByName } from '../event-type-rows.ts';
import { eventTypeListSql } from '../list-sql.ts';
import type { EventTypePatch, NewEventType } from '../port.ts';
import { OrderedParams } from '../sql-params.ts';
import { eventTypeVersionExists } from '../store-errors.ts';
import { type Db, jsonList, type Statement, type StatementCache, toJson } from './db.ts';
import type { EventTypeRow, EventTypeVersionRow } from './rows.ts';

/** The event type catalog. Listed by name ascending: a catalog reads alphabetically. */
export class SqliteEventTypes {
  private readonly typeByName: Statement;
  private readonly versionsOf: Statement;
  private readonly versionsOfMany: Statement;
  private readonly insertType: Statement;
  private readonly insertVersion: Statement;
  private readonly versionExists: Statement;
  private readonly updateType: Statement;
  private readonly deleteType: Statement;
  private readonly createTx: (input: NewEventType) => EventType;

  constructor(
    db: Db,
    private readonly cache: StatementCache,
  ) {
    this.typeByName = db.prepare('SELECT * FROM event_types WHERE name = ?');
    this.versionsOf = db.prepare('SELECT * FROM event_type_versions WHERE name = ? ORDER BY version');
    this.versionsOfMany = db.prepare(
      'SELECT * FROM event_type_versions WHERE name IN (SELECT value FROM json_each(?)) ORDER BY name, version',
    );
    this.insertType = db.prepare(
      `INSERT INTO event_types (name, group_name, description, deprecated, created_at, updated_at)
       VALUES (?, ?, ?, 0, ?, ?)`,
    );
    this.insertVersion = db.prepare(
      'INSERT INTO event_type_versions (name, version, schema, example, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.versionExists = db
      .prepare('SELECT 1 FROM event_type_versions WHERE name = ? AND version = ?')
      .pluck();
    this.updateType = db.prepare(
      'UPDATE event_types SET group_name = ?, description = ?, deprecated = ?, updated_at = ? WHERE name = ?',
    );
    this.deleteType = db.prepare('DELETE FROM event_types WHERE name = ?');
    this.createTx = db.transaction((input: NewEventType) => this.createInTx(input));
  }

  createEventType(input: NewEventType): EventType {
    return this.createTx(input);
  }

  private createInTx(input: NewEventType): EventType {
    const existing = this.typeByName.get(input.name) as EventTypeRow | undefined;
    if (!existing) {
      this.insertType.run(input.name, input.group, input.description ?? '', input.now, input.now);
    } else {
      if (this.versionExists.get(input.name, input.version)) {
        throw eventTypeVersionExists(input);
      }
      // A new version may also re-describe the type; absent values leave it as it was.
      this.updateType.run(
        input.group ?? existing.group_name,
        input.description ? input.description : existing.description,
        existing.deprecated,
        input.now,
        input.name,
      );
    }
    this.insertVersion.run(input.name, input.version, toJson(input.schema), toJson(input.example), input.now);
    return this.getEventType(input.name)!;
  }

  getEventType(name: string): EventType | null {
    const row = this.typeByName.get(name) as EventTypeRow | undefined;
    if (!row) return null;
    return toEventType(row, this.versionsOf.all(name) as EventTypeVersionRow[]);
  }

  listEventTypes(filter: { group?: string }, page: PageRequest): Page<EventType> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new OrderedParams();
    const sql = eventTypeListSql(p, filter, after, limit + 1, 'name');
    const rows = this.cache.get(sql).all(...p.values) as EventTypeRow[];
    const kept = rows.slice(0, limit);
    const versions = versionsByName(
      kept.length > 0
        ? (this.versionsOfMany.all(jsonList(kept.map((r) => r.name))) as EventTypeVersionRow[])
        : [],
    );
    return toPage(
      rows,
      limit,
      (r) => toEventType(r, versions.get(r.name) ?? []),
      (r) => r.name,
    );
  }

  updateEventType(name: string, patch: EventTypePatch, now: number): EventType | null {
    const row = this.typeByName.get(name) as EventTypeRow | undefined;
    if (!row) return null;
    this.updateType.run(
      patch.group !== undefined ? patch.group : row.group_name,
      patch.description ?? row.description,
      patch.deprecated !== undefined ? (patch.deprecated ? 1 : 0) : row.deprecated,
      now,
      name,
    );
    return this.getEventType(name);
  }

  deleteEventType(name: string): boolean {
    return this.deleteType.run(name).changes > 0;
  }
}
