/**
 * Accepting events: validate every event of a request first (all or nothing),
 * decide which endpoints each one is owed to, and store the events with their
 * deliveries in ONE store call, so a 202 means "on disk, owed to exactly
 * these endpoints". Then wake the workers. An idempotency key used before
 * answers the first event again, or `idempotency_conflict` when this is a
 * different event (decided by the store, inside that call: store/idempotency.ts).
 */
import { HeraldError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { endpointReceives } from '../domain/matching.ts';
import { validateEventTypeName, validateResourceId } from '../domain/names.ts';
import type { Endpoint, EventType } from '../domain/types.ts';
import type { InsertedEvent, NewEvent, Store } from '../store/port.ts';
import type { PayloadSchemas } from './payload-schemas.ts';

export interface IncomingEvent {
  type: string;
  data: unknown;
  version?: number;
  resource?: string | null;
  idempotencyKey?: string | null;
}

export interface IngestError {
  /** The event's position in the request. */
  index: number;
  path: string;
  message: string;
}

export interface Ingest {
  /**
   * Stores the events and their deliveries. Throws HeraldError
   * `validation_failed` (details: IngestError[]) before storing anything when
   * any event is invalid, and `idempotency_conflict` (nothing stored) when
   * an event reuses a key of a different event. `batch` makes messages name
   * the failing index.
   */
  accept(tenantId: string, events: IncomingEvent[], opts?: { batch?: boolean }): Promise<InsertedEvent[]>;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

interface Prepared {
  incoming: IncomingEvent;
  version: number;
}

export function createIngest(store: Store, opts: { clock: () => number; schemas: PayloadSchemas }): Ingest {
  // Endpoint lists are read fresh per request, but their pattern arrays are
  // swapped for a cached instance per (id, updatedAt): matching compiles
  // patterns once per array, so this keeps compiled patterns across requests.
  const patternCache = new Map<string, { updatedAt: number; eventTypes: string[] | null }>();

  function stablePatterns(endpoint: Endpoint): string[] | null {
    const hit = patternCache.get(endpoint.id);
    if (hit && hit.updatedAt === endpoint.updatedAt) return hit.eventTypes;
    patternCache.set(endpoint.id, { updatedAt: endpoint.updatedAt, eventTypes: endpoint.eventTypes });
    if (patternCache.size > 10_000) {
      const oldest = patternCache.keys().next().value;
      if (oldest !== undefined) patternCache.delete(oldest);
    }
    return endpoint.eventTypes;
  }

  async function loadTypes(events: IncomingEvent[]): Promise<Map<string, EventType | null>> {
    const types = new Map<string, EventType | null>();
    for (const e of events) {
      if (types.has(e.type) || validateEventTypeName(e.type) !== null) continue;
      types.set(e.type, await store.getEventType(e.type));
    }
    return types;
  }

  function validate(
    events: IncomingEvent[],
    types: Map<string, EventType | null>,
  ): { prepared: Prepared[]; errors: IngestError[] } {
    const errors: IngestError[] = [];
    const prepared: Prepared[] = [];
    const keys = new Map<string, number>();
    events.forEach((e, index) => {
      const fail = (path: string, message: string) => errors.push({ index, path, message });
      const nameError = validateEventTypeName(e.type);
      if (nameError !== null) {
        fail('type', nameError);
        return;
      }
      if (e.resource !== undefined && e.resource !== null) {
        const resourceError = validateResourceId(e.resource);
        if (resourceError !== null) fail('resource', resourceError);
      }
      if (e.idempotencyKey !== undefined && e.idempotencyKey !== null) {
        const key = e.idempotencyKey;
        if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
          fail('idempotencyKey', `must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters long`);
        } else if (keys.has(key)) {
          fail(
            'idempotencyKey',
            `repeats the key of event ${keys.get(key)} in the same request; give each event its own key`,
          );
        } else {
          keys.set(key, index);
        }
      }
      const type = types.get(e.type) ?? null;
      const latest = type?.versions[type.versions.length - 1]?.version;
      let version = e.version ?? latest ?? 1;
      if (type !== null && e.version !== undefined && !type.versions.some((v) => v.version === e.version)) {
        const known = type.versions.map((v) => v.version).join(', ');
        fail('version', `event type '${e.type}' has no version ${e.version}; known versions: ${known}`);
        version = 0;
      }
      if (e.data === undefined) {
        fail('data', 'is required (any JSON value, e.g. {"deviceId": "dev_42"})');
      } else if (type !== null && version > 0) {
        for (const p of opts.schemas.validate(type, version, e.data)) fail(p.path, p.message);
      }
      prepared.push({ incoming: e, version });
    });
    return { prepared, errors };
  }

  function failure(errors: IngestError[], batch: boolean): HeraldError {
    const first = errors[0]!;
    const where = batch ? `events[${first.index}].${first.path}` : first.path;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more, see details)` : '';
    const details = errors.map((e) => ({ ...e, path: batch ? `events[${e.index}].${e.path}` : e.path }));
    return new HeraldError(
      'validation_failed',
      `${where} ${first.message}${more}; nothing was stored`,
      details,
    );
  }

  /** The store's idempotency conflicts, naming the event's index when the request was a batch. */
  async function insertNaming(items: NewEvent[], batch: boolean): Promise<InsertedEvent[]> {
    try {
      return await store.insertEvents(items);
    } catch (err) {
      if (!batch || !(err instanceof HeraldError) || err.code !== 'idempotency_conflict') throw err;
      const index = (err.details as { index?: number } | undefined)?.index ?? 0;
      throw new HeraldError('idempotency_conflict', `events[${index}]: ${err.message}`, err.details);
    }
  }

  async function subscribedPairs(endpoints: Endpoint[], events: IncomingEvent[]): Promise<Set<string>> {
    const withResources = endpoints.filter((ep) => ep.hasResources).map((ep) => ep.id);
    const resources = [
      ...new Set(events.map((e) => e.resource).filter((r): r is string => typeof r === 'string')),
    ];
    if (withResources.length === 0 || resources.length === 0) return new Set();
    const pairs = await store.matchResources(withResources, resources);
    return new Set(pairs.map((p) => `${p.endpointId}\n${p.resourceId}`));
  }

  return {
    async accept(tenantId, events, acceptOpts = {}) {
      const types = await loadTypes(events);
      const { prepared, errors } = validate(events, types);
      if (errors.length > 0) throw failure(errors, acceptOpts.batch ?? false);

      const now = opts.clock();
      const endpoints = await store.listReceivingEndpoints(tenantId);
      const pairs = await subscribedPairs(endpoints, events);
      const matchable = endpoints.map((ep) => ({ ...ep, eventTypes: stablePatterns(ep) }));

      const items: NewEvent[] = prepared.map(({ incoming, version }) => {
        const id = newId('evt', now);
        const resource = incoming.resource ?? null;
        const matchEvent = {
          id,
          type: incoming.type,
          version,
          resource,
          data: incoming.data,
          createdAt: now,
        };
        const deliveries = matchable
          .filter((ep) =>
            endpointReceives(ep, matchEvent, resource !== null && pairs.has(`${ep.id}\n${resource}`)),
          )
          .map((ep) => ({
            id: newId('dlv', now),
            endpointId: ep.id,
            nextAttemptAt: ep.status === 'active' ? now : null,
          }));
        return {
          event: {
            id,
            tenantId,
            type: incoming.type,
            version,
            resource,
            payload: JSON.stringify(incoming.data),
            idempotencyKey: incoming.idempotencyKey ?? null,
            createdAt: now,
          },
          deliveries,
          versionGiven: incoming.version !== undefined,
        };
      });

      const inserted = await insertNaming(items, acceptOpts.batch ?? false);
      if (inserted.some((e) => !e.duplicate && e.deliveryIds.length > 0)) store.notifyWork();
      return inserted;
    },
  };
}
