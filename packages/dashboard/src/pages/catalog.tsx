import type { EventType } from '../../../sdk/src/client/index.ts';
import { dateTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, JsonBlock, Loading, useLoad } from '../ui.tsx';

/** Event types grouped by their `group` (ungrouped last), names sorted. */
export function groupEventTypes(types: EventType[]): [string, EventType[]][] {
  const groups = new Map<string, EventType[]>();
  for (const t of [...types].sort((a, b) => a.name.localeCompare(b.name))) {
    const key = t.group ?? 'Other events';
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.entries()].sort(([a], [b]) =>
    a === 'Other events' ? 1 : b === 'Other events' ? -1 : a.localeCompare(b),
  );
}

/** Every event type, following pages. */
export async function loadCatalog(client: ReturnType<typeof useSession>['client']): Promise<EventType[]> {
  const all: EventType[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listEventTypes({ limit: 250, ...(cursor ? { cursor } : {}) });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

export function CatalogPage() {
  const { client } = useSession();
  const { data, error, loading } = useLoad(() => loadCatalog(client), []);
  if (loading && !data) return <Loading />;
  if (error) return <ErrorBox error={error} />;
  const groups = groupEventTypes(data ?? []);
  return (
    <div>
      <h1>Event catalog</h1>
      {groups.length === 0 && (
        <Empty>
          No event types yet. Declare them with POST /v1/event-types (see the README's walkthrough).
        </Empty>
      )}
      {groups.map(([group, types]) => (
        <section key={group}>
          <h2>{group}</h2>
          {types.map((t) => (
            <details key={t.name} className="panel">
              <summary>
                <strong>{t.name}</strong> {t.deprecated && <span className="badge">deprecated</span>}{' '}
                <span className="muted">
                  v{t.latestVersion} — {t.description || 'no description'}
                </span>
              </summary>
              {[...t.versions].reverse().map((v) => (
                <div key={v.version} className="catalog-version">
                  <h3>
                    Version {v.version} <span className="muted">since {dateTime(v.createdAt)}</span>
                  </h3>
                  <div className="catalog-columns">
                    <div>
                      <h4>Schema</h4>
                      {v.schema === null ? (
                        <p className="muted">No schema: any JSON is accepted for this version.</p>
                      ) : (
                        <JsonBlock
                          label={`${t.name} v${v.version} schema`}
                          value={JSON.stringify(v.schema, null, 2)}
                        />
                      )}
                    </div>
                    <div>
                      <h4>Example payload</h4>
                      {v.example === null ? (
                        <p className="muted">No example given.</p>
                      ) : (
                        <JsonBlock
                          label={`${t.name} v${v.version} example`}
                          value={JSON.stringify(v.example, null, 2)}
                        />
                      )}
                    </div>
                  </div>
                </div>
              ))}
            </details>
          ))}
        </section>
      ))}
    </div>
  );
}
