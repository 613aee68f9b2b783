/**
 * The Store port's catalog methods, written once for both adapters: API keys,
 * tenants, event types, endpoints, resources, and the event and attempt
 * views, and manual retries. Each adapter hands over its table modules, whose methods answer at
 * once (SQLite, synchronous) or later (PostgreSQL); every method here answers
 * with a promise either way, as the port says. The delivery path (event
 * inserts, claims, completions, batches) stays in each adapter's store.ts.
 */
import type { Attempt, Endpoint, NewApiKey, PageRequest, Tenant } from '../domain/types.ts';
import { withBatchInfo } from './batch-info.ts';
import type {
  ApiKeyFilter,
  AttemptFilter,
  BatchAttemptInfo,
  EndpointPatch,
  EventFilter,
  EventTypePatch,
  NewEventType,
  RetryRequest,
  Store,
  TenantPatch,
} from './port.ts';

type Awaitable<T> = T | Promise<T>;

/** A table module's methods named `K`: the port's, but they may answer at once. */
type Answering<K extends keyof Store> = {
  [M in K]: Store[M] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Awaitable<R> : never;
};

export interface CatalogParts {
  tenants: Answering<
    | 'createApiKey'
    | 'findApiKeyByHash'
    | 'countAdminKeys'
    | 'listApiKeys'
    | 'revokeApiKey'
    | 'putEnvAdminKey'
    | 'touchApiKey'
    | 'createTenant'
    | 'getTenant'
    | 'listTenants'
    | 'updateTenant'
    | 'deleteTenant'
  >;
  eventTypes: Answering<
    'createEventType' | 'getEventType' | 'listEventTypes' | 'updateEventType' | 'deleteEventType'
  >;
  endpoints: Answering<
    | 'createEndpoint'
    | 'getEndpoint'
    | 'getEndpointsByIds'
    | 'listEndpoints'
    | 'listReceivingEndpoints'
    | 'updateEndpoint'
    | 'deleteEndpoint'
  >;
  resources: Answering<'addResource' | 'removeResource' | 'hasResource' | 'listResources' | 'matchResources'>;
  events: Answering<
    | 'findEventByIdempotencyKey'
    | 'getEvent'
    | 'listEvents'
    | 'listDeliveriesForEvent'
    | 'getDelivery'
    | 'countDeliveries'
  >;
  attempts: Answering<'insertAttempt' | 'getAttempt' | 'listAttempts' | 'summarizeAttempts'>;
  /** A manual retry: a person's action, not the delivery path. */
  queue: Answering<'retryDeliveries'>;
  /** Attempts that sent a batch carry its id and events in the log (batch-info.ts). */
  batches: { attemptBatchInfo(ids: string[]): Awaitable<Map<string, BatchAttemptInfo>> };
}

export abstract class CatalogStore {
  /** The adapter's table modules (SQLite prepares them on first use: the tables exist only after migrate()). */
  protected abstract catalog(): CatalogParts;

  async createApiKey(key: NewApiKey) {
    await this.catalog().tenants.createApiKey(key);
  }
  async findApiKeyByHash(hash: string) {
    return this.catalog().tenants.findApiKeyByHash(hash);
  }
  async countAdminKeys() {
    return this.catalog().tenants.countAdminKeys();
  }
  async listApiKeys(filter: ApiKeyFilter, page: PageRequest) {
    return this.catalog().tenants.listApiKeys(filter, page);
  }
  async revokeApiKey(id: string, now: number, scope?: { tenantId: string }) {
    return this.catalog().tenants.revokeApiKey(id, now, scope);
  }
  async putEnvAdminKey(key: NewApiKey, now: number) {
    return this.catalog().tenants.putEnvAdminKey(key, now);
  }
  async touchApiKey(id: string, at: number) {
    await this.catalog().tenants.touchApiKey(id, at);
  }

  async createTenant(tenant: Tenant) {
    return this.catalog().tenants.createTenant(tenant);
  }
  async getTenant(id: string) {
    return this.catalog().tenants.getTenant(id);
  }
  async listTenants(page: PageRequest) {
    return this.catalog().tenants.listTenants(page);
  }
  async updateTenant(id: string, patch: TenantPatch, now: number) {
    return this.catalog().tenants.updateTenant(id, patch, now);
  }
  async deleteTenant(id: string) {
    return this.catalog().tenants.deleteTenant(id);
  }

  async createEventType(input: NewEventType) {
    return this.catalog().eventTypes.createEventType(input);
  }
  async getEventType(name: string) {
    return this.catalog().eventTypes.getEventType(name);
  }
  async listEventTypes(filter: { group?: string }, page: PageRequest) {
    return this.catalog().eventTypes.listEventTypes(filter, page);
  }
  async updateEventType(name: string, patch: EventTypePatch, now: number) {
    return this.catalog().eventTypes.updateEventType(name, patch, now);
  }
  async deleteEventType(name: string) {
    return this.catalog().eventTypes.deleteEventType(name);
  }

  async createEndpoint(endpoint: Endpoint) {
    return this.catalog().endpoints.createEndpoint(endpoint);
  }
  async getEndpoint(tenantId: string, id: string) {
    return this.catalog().endpoints.getEndpoint(tenantId, id);
  }
  async getEndpointsByIds(ids: string[]) {
    return this.catalog().endpoints.getEndpointsByIds(ids);
  }
  async listEndpoints(tenantId: string, page: PageRequest) {
    return this.catalog().endpoints.listEndpoints(tenantId, page);
  }
  async listReceivingEndpoints(tenantId: string) {
    return this.catalog().endpoints.listReceivingEndpoints(tenantId);
  }
  async updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number) {
    return this.catalog().endpoints.updateEndpoint(tenantId, id, patch, now);
  }
  async deleteEndpoint(tenantId: string, id: string, now: number) {
    return this.catalog().endpoints.deleteEndpoint(tenantId, id, now);
  }

  async addResource(tenantId: string, endpointId: string, resourceId: string, now: number) {
    return this.catalog().resources.addResource(tenantId, endpointId, resourceId, now);
  }
  async removeResource(tenantId: string, endpointId: string, resourceId: string) {
    return this.catalog().resources.removeResource(tenantId, endpointId, resourceId);
  }
  async hasResource(endpointId: string, resourceId: string) {
    return this.catalog().resources.hasResource(endpointId, resourceId);
  }
  async listResources(endpointId: string, page: PageRequest) {
    return this.catalog().resources.listResources(endpointId, page);
  }
  async matchResources(endpointIds: string[], resources: string[]) {
    return this.catalog().resources.matchResources(endpointIds, resources);
  }

  async findEventByIdempotencyKey(tenantId: string, key: string) {
    return this.catalog().events.findEventByIdempotencyKey(tenantId, key);
  }
  async getEvent(tenantId: string, id: string) {
    return this.catalog().events.getEvent(tenantId, id);
  }
  async listEvents(tenantId: string, filter: EventFilter, page: PageRequest) {
    return this.catalog().events.listEvents(tenantId, filter, page);
  }
  async listDeliveriesForEvent(tenantId: string, eventId: string) {
    return this.catalog().events.listDeliveriesForEvent(tenantId, eventId);
  }
  async getDelivery(id: string) {
    return this.catalog().events.getDelivery(id);
  }
  async countDeliveries(filter: Parameters<Store['countDeliveries']>[0]) {
    return this.catalog().events.countDeliveries(filter);
  }

  async retryDeliveries(req: RetryRequest) {
    return this.catalog().queue.retryDeliveries(req);
  }

  async insertAttempt(attempt: Attempt) {
    await this.catalog().attempts.insertAttempt(attempt);
  }
  async getAttempt(tenantId: string, id: string) {
    const { attempts, batches } = this.catalog();
    const attempt = await attempts.getAttempt(tenantId, id);
    return attempt && withBatchInfo([attempt], await batches.attemptBatchInfo([attempt.id]))[0]!;
  }
  async listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest) {
    const { attempts, batches } = this.catalog();
    const list = await attempts.listAttempts(tenantId, filter, page);
    const info = await batches.attemptBatchInfo(list.data.map((a) => a.id));
    return { ...list, data: withBatchInfo(list.data, info) };
  }
  async summarizeAttempts(tenantId: string, filter: AttemptFilter) {
    return this.catalog().attempts.summarizeAttempts(tenantId, filter);
  }
}
