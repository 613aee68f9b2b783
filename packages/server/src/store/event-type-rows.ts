/**
 * The event type catalog as both adapters read it: a type row with its
 * version rows (rows.ts) make one EventType; a page of types reads the
 * versions of all its types in one query, grouped here by name.
 */
import type { EventType } from '../domain/types.ts';
import { type EventTypeRow, type EventTypeVersionRow, versionFromRow } from './rows.ts';

export function toEventType(row: EventTypeRow, versions: EventTypeVersionRow[]): EventType {
  return {
    name: row.name,
    group: row.group_name,
    description: row.description,
    deprecated: Boolean(row.deprecated),
    versions: versions.map(versionFromRow),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Version rows (ordered by name, then version) grouped by their type's name. */
export function versionsByName(rows: readonly EventTypeVersionRow[]): Map<string, EventTypeVersionRow[]> {
  const versions = new Map<string, EventTypeVersionRow[]>();
  for (const v of rows) {
    const list = versions.get(v.name);
    if (list) list.push(v);
    else versions.set(v.name, [v]);
  }
  return versions;
}
