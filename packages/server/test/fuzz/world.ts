/**
 * The state requests run against: two tenants (`main`, whose ids requests
 * mostly use, and `other`, whose ids must stay out of reach), event types
 * (one with a JSON Schema), endpoints of several shapes, a resource
 * subscription, events with deliveries, a test attempt, a job and a tenant
 * token. Seeded through the API itself, so it is what a user would have.
 *
 * A fuzzed request that succeeds may delete any of it (a tenant, the admin
 * key); `ensure` puts back what is gone before the next case, with new ids
 * where the API makes them, and refs resolve by index at run time.
 */
import type { FastifyInstance } from 'fastify';
import { hashKey } from '../../src/api/app.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Store } from '../../src/store/port.ts';
import { SLOW_SCHEMAS } from './hostile.ts';
import { Deep, type Owner, type Ref } from './values.ts';

/** Revoked keys are kept (and found by hash) but refused, like expired ones. */
function usable(key: ApiKey | null, now: number): boolean {
  if (!key) return false;
  const revokedAt = (key as { revokedAt?: number | null }).revokedAt ?? null;
  return revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
}

import type { ApiKey } from '../../src/domain/types.ts';

export interface SeededTenant {
  id: string;
  token: string;
  tokenId: string;
  endpoints: string[];
  events: string[];
  attempts: string[];
  jobs: string[];
  resources: string[];
}

const TENANT_IDS: Record<Owner, string> = { main: 'fuzz-main', other: 'fuzz-other' };

/**
 * Endpoints a tenant keeps: every event is owed to each of them, so hundreds
 * created by earlier cases would make a 1,000-event batch write hundreds of
 * thousands of deliveries, and the run slow for reasons no single request has.
 */
const MAX_ENDPOINTS = 8;

export interface SeededEventType {
  body: Record<string, unknown>;
  example: unknown;
  attack: unknown;
  /** Named only by events that attack it, never by `:name` refs (recreating it after a DELETE costs seconds). */
  slow?: true;
}

/** The seeded catalog, with for each type the data a careful client sends and the data that attacks its schema. */
export const SEEDED_EVENT_TYPES: readonly SeededEventType[] = [
  {
    body: {
      name: 'fuzz.order',
      group: 'Fuzz',
      schema: {
        type: 'object',
        properties: { id: { type: 'string', maxLength: 64 }, qty: { type: 'integer', minimum: 0 } },
        required: ['id'],
      },
      example: { id: 'o-1', qty: 1 },
    },
    example: { id: 'o-1', qty: 1 },
    attack: { id: 'o-1', qty: 1e20 },
  },
  { body: { name: 'fuzz.ping' }, example: { n: 1 }, attack: new Deep(64, 'array') },
  // Types a careful admin would not make; the API may refuse them, else events of them probe the validator.
  ...SLOW_SCHEMAS.map(({ name, schema, attack }) => ({
    body: { name, schema },
    example: {},
    attack,
    slow: true as const,
  })),
];

const ENDPOINTS: readonly Record<string, unknown>[] = [
  { url: 'https://hooks.example.com/a', name: 'plain' },
  {
    url: 'https://hooks.example.com/b',
    eventTypes: ['fuzz.*'],
    signature: { scheme: 'hmac-sha256', header: 'X-Sig', prefix: 'sha256=' },
    status: 'paused',
  },
  {
    url: 'https://hooks.example.com/c?key={VerificationKey}',
    signature: { scheme: 'verification-key' },
    batch: { maxSize: 10, maxWaitMs: 1000 },
    overflow: 'drop-oldest',
    maxBacklog: 100,
  },
];

export class World {
  readonly tenants = new Map<Owner, SeededTenant>();
  /** Names `eventType` refs pick from: the seeded types that exist, slow ones left out. */
  eventTypes: string[] = [];
  private readonly refusedTypes = new Set<string>();
  adminKey = 'hk_admin_fuzz_0';
  adminKeyId = '';
  private adminKeysMade = 0;
  /** Set after a 2xx write: something may be gone. */
  dirty = true;
  /** Counts cases, so `fresh` refs are new in each. */
  caseNumber = 0;

  constructor(
    private readonly app: FastifyInstance,
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  private async call(method: string, url: string, body?: unknown): Promise<any> {
    const res = await this.app.inject({
      method: method as 'POST',
      url,
      headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (res.statusCode >= 300) {
      throw new Error(`seeding: ${method} ${url} answered ${res.statusCode} ${res.body.slice(0, 300)}`);
    }
    return res.body === '' ? null : JSON.parse(res.body);
  }

  private async ensureAdminKey(): Promise<void> {
    const existing = await this.store.findApiKeyByHash(hashKey(this.adminKey));
    if (usable(existing, this.now())) {
      this.adminKeyId = existing!.id;
      return;
    }
    // A revoked key keeps its row (and its hash), so the replacement needs a new key.
    if (existing) this.adminKey = `hk_admin_fuzz_${++this.adminKeysMade}`;
    this.adminKeyId = newId('key', this.now());
    await this.store.createApiKey({
      id: this.adminKeyId,
      hash: hashKey(this.adminKey),
      tenantId: null,
      name: 'fuzz admin',
      createdAt: this.now(),
      expiresAt: null,
    });
  }

  private async ensureEventTypes(): Promise<void> {
    const names: string[] = [];
    for (const { body: type, slow } of SEEDED_EVENT_TYPES) {
      const name = type.name as string;
      if (this.refusedTypes.has(name)) continue;
      if (await this.store.getEventType(name)) {
        if (!slow) names.push(name);
        continue;
      }
      const res = await this.app.inject({
        method: 'POST',
        url: '/v1/event-types',
        headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' },
        payload: JSON.stringify(type),
      });
      if (res.statusCode >= 500) throw new Error(`seeding event type ${name}: ${res.statusCode} ${res.body}`);
      // A schema the API refuses stays refused: asking again before every case would only cost time.
      if (res.statusCode >= 400) this.refusedTypes.add(name);
      else if (!slow) names.push(name);
    }
    this.eventTypes = names;
  }

  private async createEndpoint(tid: string, index: number): Promise<string> {
    const config = ENDPOINTS[index % ENDPOINTS.length]!;
    return (await this.call('POST', `/v1/tenants/${tid}/endpoints`, config)).id as string;
  }

  private async createEvent(tid: string, index: number): Promise<string> {
    const body =
      index % 2 === 0
        ? { type: 'fuzz.order', data: { id: `o-${index}`, qty: index }, resource: 'dev-1' }
        : { type: 'fuzz.ping', data: { n: index } };
    return (await this.call('POST', `/v1/tenants/${tid}/events`, body)).id as string;
  }

  private async newToken(tid: string): Promise<{ token: string; tokenId: string }> {
    const created = await this.call('POST', `/v1/tenants/${tid}/tokens`, { name: 'fuzz' });
    return { token: created.token as string, tokenId: created.id as string };
  }

  private async seedTenant(owner: Owner): Promise<SeededTenant> {
    const id = TENANT_IDS[owner];
    await this.call('POST', '/v1/tenants', { id, name: `Fuzz ${owner}`, metadata: { plan: 'fuzz' } });
    const endpointCount = owner === 'main' ? ENDPOINTS.length : 1;
    const endpoints: string[] = [];
    for (let i = 0; i < endpointCount; i++) endpoints.push(await this.createEndpoint(id, i));
    await this.call('PUT', `/v1/tenants/${id}/endpoints/${endpoints[0]}/resources/dev-1`);
    const events = [await this.createEvent(id, 0), await this.createEvent(id, 1)];
    const test = await this.call('POST', `/v1/tenants/${id}/endpoints/${endpoints[0]}/test`, {});
    const job = await this.call('POST', `/v1/tenants/${id}/endpoints/${endpoints[0]}/recover`, { since: 0 });
    return {
      id,
      ...(await this.newToken(id)),
      endpoints,
      events,
      attempts: [test.attemptId as string],
      jobs: [job.job.id as string],
      resources: ['dev-1', 'dev-2'],
    };
  }

  private async pruneEndpoints(seeded: SeededTenant): Promise<void> {
    const { data } = await this.store.listEndpoints(seeded.id, { limit: 100, cursor: null });
    const extra = data.filter((e) => !seeded.endpoints.includes(e.id));
    const excess = data.length - MAX_ENDPOINTS;
    for (const e of extra.slice(0, Math.max(0, excess))) {
      await this.store.deleteEndpoint(seeded.id, e.id, this.now());
    }
  }

  /** Puts back whatever a successful request removed, and trims what they piled up. Cheap when nothing changed. */
  async ensure(): Promise<void> {
    if (!this.dirty) return;
    await this.ensureAdminKey();
    await this.ensureEventTypes();
    for (const owner of ['main', 'other'] as const) {
      const seeded = this.tenants.get(owner);
      if (!seeded || !(await this.store.getTenant(seeded.id))) {
        this.tenants.set(owner, await this.seedTenant(owner));
        continue;
      }
      if (!usable(await this.store.findApiKeyByHash(hashKey(seeded.token)), this.now())) {
        Object.assign(seeded, await this.newToken(seeded.id));
      }
      await this.pruneEndpoints(seeded);
      for (const [i, eid] of seeded.endpoints.entries()) {
        if (!(await this.store.getEndpoint(seeded.id, eid))) {
          seeded.endpoints[i] = await this.createEndpoint(seeded.id, i);
        }
      }
      for (const [i, id] of seeded.events.entries()) {
        if (!(await this.store.getEvent(seeded.id, id)))
          seeded.events[i] = await this.createEvent(seeded.id, i);
      }
    }
    this.dirty = false;
  }

  tenant(owner: Owner): SeededTenant {
    const t = this.tenants.get(owner);
    if (!t) throw new Error('the world is not seeded: call ensure() first');
    return t;
  }

  /** The live id a generated reference stands for. */
  resolve = (r: Ref): string => {
    const t = this.tenant(r.owner);
    const pick = (list: readonly string[]) => list[r.index % list.length] ?? `${r.kind}_none`;
    switch (r.kind) {
      case 'tenant':
        return t.id;
      case 'endpoint':
        return pick(t.endpoints);
      case 'event':
        return pick(t.events);
      case 'job':
        return pick(t.jobs);
      case 'token':
        return t.tokenId;
      case 'attempt':
        return pick(t.attempts);
      case 'resource':
        return pick(t.resources);
      case 'eventType':
        return pick(this.eventTypes);
      case 'adminKey':
        return this.adminKeyId;
      case 'fresh':
        return `fresh-${this.caseNumber}-${r.index}`;
    }
  };
}
