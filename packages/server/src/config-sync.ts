/**
 * Applies a config file to the store at start. Idempotent: running it again
 * with the same file changes nothing. Event types are created or get new
 * versions; tenants are created or renamed; endpoints are matched by `name`
 * within their tenant (else by URL), updated in place and never duplicated.
 * Nothing the file does not mention is deleted.
 */
import { buildEndpoint, type PatchEndpointInput, planEndpointPatch } from './api/endpoint-config.ts';
import type { ConfigEndpoint, ConfigEventType, ConfigTenant, HeraldConfigFile } from './config-file.ts';
import { HeraldError } from './domain/errors.ts';
import type { Endpoint } from './domain/types.ts';
import type { EndpointPatch, Store } from './store/port.ts';

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface SyncSummary {
  eventTypes: SyncCounts;
  tenants: SyncCounts;
  endpoints: SyncCounts;
}

export interface SyncOptions {
  now: number;
  maxCustomHeaders: number;
  /** HERALD_WORKER_CONCURRENCY: endpoints' maxInFlight is capped against it, as in the API. */
  workerConcurrency?: number;
  checkTransform?: (source: string) => string | null;
  /** The file's name, for error messages. */
  file: string;
}

type Outcome = keyof SyncCounts;

const counts = (): SyncCounts => ({ created: 0, updated: 0, unchanged: 0 });

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

async function syncEventType(store: Store, et: ConfigEventType, now: number): Promise<Outcome> {
  const existing = await store.getEventType(et.name);
  const version = et.version ?? 1;
  if (!existing?.versions.some((v) => v.version === version)) {
    await store.createEventType({
      name: et.name,
      group: et.group !== undefined ? et.group : (existing?.group ?? null),
      description: et.description ?? existing?.description ?? '',
      version,
      schema: et.schema ?? null,
      example: et.example ?? null,
      now,
    });
    return existing ? 'updated' : 'created';
  }
  const patch: { group?: string | null; description?: string } = {};
  if (et.group !== undefined && et.group !== existing.group) patch.group = et.group;
  if (et.description !== undefined && et.description !== existing.description)
    patch.description = et.description;
  if (Object.keys(patch).length === 0) return 'unchanged';
  await store.updateEventType(et.name, patch, now);
  return 'updated';
}

async function syncTenant(store: Store, tenant: ConfigTenant, now: number): Promise<Outcome> {
  const name = tenant.name ?? tenant.id;
  const existing = await store.getTenant(tenant.id);
  if (!existing) {
    await store.createTenant({
      id: tenant.id,
      name,
      metadata: tenant.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    });
    return 'created';
  }
  const patch: { name?: string; metadata?: Record<string, unknown> } = {};
  if (existing.name !== name) patch.name = name;
  if (tenant.metadata !== undefined && !same(existing.metadata, tenant.metadata))
    patch.metadata = tenant.metadata;
  if (Object.keys(patch).length === 0) return 'unchanged';
  await store.updateTenant(tenant.id, patch, now);
  return 'updated';
}

async function allEndpoints(store: Store, tenantId: string): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listEndpoints(tenantId, { limit: 250, cursor });
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/**
 * The stored endpoint an entry stands for: the one with its name; else, for
 * an entry without a name or whose name is new, one with its URL that no
 * other entry claims by name.
 */
function findMatch(entry: ConfigEndpoint, stored: Endpoint[], claimedNames: Set<string>, taken: Set<string>) {
  const free = stored.filter((e) => !taken.has(e.id));
  if (entry.name) {
    const byName = free.find((e) => e.name === entry.name);
    if (byName) return byName;
  }
  const url = entry.url.trim();
  return free.find((e) => e.url === url && (e.name === '' || !claimedNames.has(e.name)));
}

/** The file's entry as a full PATCH: every field it can set, defaults for those it leaves out. */
function desiredPatch(entry: ConfigEndpoint, current: Endpoint, desired: Endpoint): PatchEndpointInput {
  const input: PatchEndpointInput = {
    url: desired.url,
    name: desired.name,
    description: desired.description,
    eventTypes: desired.eventTypes,
    filter: desired.filter,
    signature: desired.signature,
    envelope: desired.envelope,
    format: desired.format,
    method: desired.method,
    headers: desired.headers,
    timeoutMs: desired.timeoutMs,
    retry: desired.retry,
    batch: desired.batch,
    rateLimit: desired.rateLimit,
    overflow: desired.overflow,
    maxBacklog: desired.maxBacklog,
    ordered: desired.ordered,
    requireVerification: desired.requireVerification,
    verification: desired.verification,
    transform: desired.transform,
    destination: desired.destination,
    maxInFlight: desired.maxInFlight,
  };
  // A secret left out keeps the stored one (a generated secret must survive restarts).
  if (entry.secret !== undefined && entry.secret !== current.secrets[0]?.value) input.secret = entry.secret;
  // Status is only set when the file says so: activation and verification happen through the API.
  if (entry.status !== undefined) input.status = entry.status;
  return input;
}

function changedOnly(patch: EndpointPatch, current: Endpoint): EndpointPatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!same(value, (current as unknown as Record<string, unknown>)[key])) out[key] = value;
  }
  return out as EndpointPatch;
}

export async function syncConfigFile(
  store: Store,
  config: HeraldConfigFile,
  opts: SyncOptions,
): Promise<SyncSummary> {
  const summary: SyncSummary = { eventTypes: counts(), tenants: counts(), endpoints: counts() };
  const rules = {
    maxCustomHeaders: opts.maxCustomHeaders,
    ...(opts.workerConcurrency !== undefined ? { workerConcurrency: opts.workerConcurrency } : {}),
    ...(opts.checkTransform ? { checkTransform: opts.checkTransform } : {}),
  };
  const named = (at: string, err: unknown): never => {
    if (!(err instanceof HeraldError)) throw err;
    const detail = (err.details as { path: string; message: string }[] | undefined)?.[0];
    const message = detail ? `${at}.${detail.path}: ${detail.message}` : `${at}: ${err.message}`;
    throw new HeraldError('config_invalid', `${opts.file}: ${message}`);
  };

  for (const [i, et] of (config.eventTypes ?? []).entries()) {
    try {
      summary.eventTypes[await syncEventType(store, et, opts.now)] += 1;
    } catch (err) {
      named(`eventTypes[${i}]`, err);
    }
  }

  for (const [i, tenant] of (config.tenants ?? []).entries()) {
    summary.tenants[await syncTenant(store, tenant, opts.now)] += 1;
    const stored = await allEndpoints(store, tenant.id);
    const entries = tenant.endpoints ?? [];
    const claimedNames = new Set(entries.map((e) => e.name).filter((n): n is string => !!n));
    const taken = new Set<string>();
    for (const [j, entry] of entries.entries()) {
      const at = `tenants[${i}].endpoints[${j}]`;
      try {
        const current = findMatch(entry, stored, claimedNames, taken);
        if (!current) {
          const created = await store.createEndpoint(buildEndpoint(tenant.id, entry, opts.now, rules));
          taken.add(created.id);
          summary.endpoints.created += 1;
          continue;
        }
        taken.add(current.id);
        const desired = buildEndpoint(tenant.id, entry, opts.now, rules);
        const patch = changedOnly(
          planEndpointPatch(current, desiredPatch(entry, current, desired), rules),
          current,
        );
        if (Object.keys(patch).length === 0) {
          summary.endpoints.unchanged += 1;
          continue;
        }
        await store.updateEndpoint(tenant.id, current.id, patch, opts.now);
        summary.endpoints.updated += 1;
      } catch (err) {
        named(at, err);
      }
    }
  }
  if (summary.endpoints.created + summary.endpoints.updated > 0) store.notifyWork();
  return summary;
}
