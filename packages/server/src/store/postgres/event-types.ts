import type { EventType, Page, PageRequest } from '../../domain/types.ts';
import { decodeCursor, pageLimit, toPage } from '../cursor.ts';
import { toEventType, versionsByName } from '../event-type-rows.ts';
import { eventTypeListSql } from '../list-sql.ts';
import type { EventTypePatch, NewEventType } from '../port.ts';
import { eventTypeVersionExists } from '../store-errors.ts';
import { isUniqueViolation, Params, type Pool, type Queryable, toJson, withTx } from './db.ts';
import type { EventTypeRow, EventTypeVersionRow } from './rows.ts';

/** The event type catalog. Listed by name ascending: a catalog reads alphabetically. */
export class PgEventTypes {
  constructor(private readonly pool: Pool) {}

  async createEventType(input: NewEventType): Promise<EventType> {
    try {
      return await withTx(this.pool, (client) => this.createInTx(client, input));
    } catch (err) {
      // Two processes adding the same type (or version) at once: the loser hears what the winner made.
      if (isUniqueViolation(err)) throw eventTypeVersionExists(input);
      throw err;
    }
  }

  private async createInTx(client: Queryable, input: NewEventType): Promise<EventType> {
    const { rows } = await client.query<EventTypeRow>(
      'SELECT * FROM event_types WHERE name = $1 FOR UPDATE',
      [input.name],
    );
    const existing = rows[0];
    if (!existing) {
      await client.query(
        `INSERT INTO event_types (name, group_name, description, deprecated, created_at, updated_at)
         VALUES ($1, $2, $3, FALSE, $4, $4)`,
        [input.name, input.group, input.description ?? '', input.now],
      );
    } else {
      const exists = await client.query(
        'SELECT 1 FROM event_type_versions WHERE name = $1 AND version = $2',
        [input.name, input.version],
      );
      if (exists.rowCount) throw eventTypeVersionExists(input);
      // A new version may also re-describe the type; absent values leave it as it was.
      await client.query(
        'UPDATE event_types SET group_name = $1, description = $2, updated_at = $3 WHERE name = $4',
        [
          input.group ?? existing.group_name,
          input.description ? input.description : existing.description,
          input.now,
          input.name,
        ],
      );
    }
    await client.query(
      'INSERT INTO event_type_versions (name, version, schema, example, created_at) VALUES ($1, $2, $3, $4, $5)',
      [input.name, input.version, toJson(input.schema), toJson(input.example), input.now],
    );
    return (await this.read(client, input.name))!;
  }

  getEventType(name: string): Promise<EventType | null> {
    return this.read(this.pool, name);
  }

  private async read(db: Queryable, name: string): Promise<EventType | null> {
    const { rows } = await db.query<EventTypeRow>('SELECT * FROM event_types WHERE name = $1', [name]);
    if (!rows[0]) return null;
    const versions = await db.query<EventTypeVersionRow>(
      'SELECT * FROM event_type_versions WHERE name = $1 ORDER BY version',
      [name],
    );
    return toEventType(rows[0], versions.rows);
  }

  async listEventTypes(filter: { group?: string }, page: PageRequest): Promise<Page<EventType>> {
    const limit = pageLimit(page.limit);
    const after = decodeCursor(page.cursor);
    const p = new Params();
    const sql = eventTypeListSql(p, filter, after, limit + 1, 'name COLLATE "C"');
    const { rows } = await this.pool.query<EventTypeRow>(sql, p.values);
    const kept = rows.slice(0, limit);
    const all =
      kept.length === 0
        ? []
        : (
            await this.pool.query<EventTypeVersionRow>(
              'SELECT * FROM event_type_versions WHERE name = ANY($1::text[]) ORDER BY name, version',
              [kept.map((r) => r.name)],
            )
          ).rows;
    const versions = versionsByName(all);
    return toPage(
      rows,
      limit,
      (r) => toEventType(r, versions.get(r.name) ?? []),
      (r) => r.name,
    );
  }

  async updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    const { rows } = await this.pool.query<EventTypeRow>('SELECT * FROM event_types WHERE name = $1', [name]);
    const row = rows[0];
    if (!row) return null;
    await this.pool.query(
      'UPDATE event_types SET group_name = $1, description = $2, deprecated = $3, updated_at = $4 WHERE name = $5',
      [
        patch.group !== undefined ? patch.group : row.group_name,
        patch.description ?? row.description,
        patch.deprecated ?? row.deprecated,
        now,
        name,
      ],
    );
    return this.getEventType(name);
  }

  async deleteEventType(name: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM event_types WHERE name = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  }
}
