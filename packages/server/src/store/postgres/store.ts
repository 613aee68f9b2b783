/**
 * The PostgreSQL adapter of the Store port: one connection pool shared by
 * every table module, plus one dedicated connection for LISTEN (opened only
 * by processes that run workers). Any number of Herald processes share one
 * database through it.
 */

import type { FlowPolicy } from '../../domain/circuit.ts';
import type { Attempt, Endpoint, NewApiKey, PageRequest, Tenant } from '../../domain/types.ts';
import { withBatchInfo } from '../batch-info.ts';
import { circuitsOf } from '../circuits.ts';
import type {
  ApiKeyFilter,
  AttemptFilter,
  ClaimRequest,
  CompletedAttempt,
  CompletedBatch,
  EndpointPatch,
  EventFilter,
  EventTypePatch,
  NewEvent,
  NewEventType,
  RetryRequest,
  Store,
  TenantPatch,
} from '../port.ts';
import { PgAttempts } from './attempts.ts';
import { PgBatches } from './batches.ts';
import { PgClaim } from './claim.ts';
import { createPool, type PgOptions, type Pool } from './db.ts';
import { PgEndpoints } from './endpoints.ts';
import { PgEventTypes } from './event-types.ts';
import { PgEvents } from './events.ts';
import { loadFlowStates } from './flow.ts';
import { PgHealth } from './health.ts';
import { migratePostgres } from './migrate.ts';
import { WorkNotifier } from './notify.ts';
import { PgOps } from './ops/ops-store.ts';
import { PgQueue } from './queue.ts';
import { PgResources } from './resources.ts';
import { PgTenants } from './tenants.ts';

export class PostgresStore implements Store {
  readonly pool: Pool;
  private readonly work: WorkNotifier;
  private readonly tenants: PgTenants;
  private readonly eventTypes: PgEventTypes;
  private readonly endpoints: PgEndpoints;
  private readonly resources: PgResources;
  private readonly events: PgEvents;
  private readonly claim: PgClaim;
  private readonly queue: PgQueue;
  private readonly attempts: PgAttempts;
  private readonly batches: PgBatches;
  /** Stats rollups, queue gauges, retention and recovery jobs (the OpsStore port). */
  readonly ops: PgOps;
  /** Endpoint health, circuit reset and retry now (store/health-port.ts). */
  readonly health: PgHealth;
  private closing: Promise<void> | null = null;
  private readonly droppedListeners = new Set<(count: number) => void>();

  constructor(private readonly options: PgOptions) {
    this.pool = createPool(options);
    this.work = new WorkNotifier(this.pool, options, options.logger);
    this.tenants = new PgTenants(this.pool);
    this.eventTypes = new PgEventTypes(this.pool);
    this.endpoints = new PgEndpoints(this.pool);
    this.resources = new PgResources(this.pool);
    this.events = new PgEvents(this.pool, (n) => {
      for (const listener of this.droppedListeners) listener(n);
    });
    this.claim = new PgClaim(this.pool);
    this.queue = new PgQueue(this.pool);
    this.attempts = new PgAttempts(this.pool);
    this.batches = new PgBatches(this.pool);
    this.ops = new PgOps(this.pool);
    this.health = new PgHealth(this.pool);
  }

  migrate() {
    return migratePostgres(this.pool, this.options.schema, this.options.logger);
  }
  async ping() {
    await this.pool.query('SELECT 1');
  }
  close() {
    this.closing ??= (async () => {
      await this.work.close();
      await this.pool.end();
    })();
    return this.closing;
  }

  createApiKey(key: NewApiKey) {
    return this.tenants.createApiKey(key);
  }
  findApiKeyByHash(hash: string) {
    return this.tenants.findApiKeyByHash(hash);
  }
  countAdminKeys() {
    return this.tenants.countAdminKeys();
  }
  listApiKeys(filter: ApiKeyFilter, page: PageRequest) {
    return this.tenants.listApiKeys(filter, page);
  }
  revokeApiKey(id: string, now: number, scope?: { tenantId: string }) {
    return this.tenants.revokeApiKey(id, now, scope);
  }
  putEnvAdminKey(key: NewApiKey, now: number) {
    return this.tenants.putEnvAdminKey(key, now);
  }
  touchApiKey(id: string, at: number) {
    return this.tenants.touchApiKey(id, at);
  }

  createTenant(tenant: Tenant) {
    return this.tenants.createTenant(tenant);
  }
  getTenant(id: string) {
    return this.tenants.getTenant(id);
  }
  listTenants(page: PageRequest) {
    return this.tenants.listTenants(page);
  }
  updateTenant(id: string, patch: TenantPatch, now: number) {
    return this.tenants.updateTenant(id, patch, now);
  }
  deleteTenant(id: string) {
    return this.tenants.deleteTenant(id);
  }

  createEventType(input: NewEventType) {
    return this.eventTypes.createEventType(input);
  }
  getEventType(name: string) {
    return this.eventTypes.getEventType(name);
  }
  listEventTypes(filter: { group?: string }, page: PageRequest) {
    return this.eventTypes.listEventTypes(filter, page);
  }
  updateEventType(name: string, patch: EventTypePatch, now: number) {
    return this.eventTypes.updateEventType(name, patch, now);
  }
  deleteEventType(name: string) {
    return this.eventTypes.deleteEventType(name);
  }

  createEndpoint(endpoint: Endpoint) {
    return this.endpoints.createEndpoint(endpoint);
  }
  getEndpoint(tenantId: string, id: string) {
    return this.endpoints.getEndpoint(tenantId, id);
  }
  getEndpointsByIds(ids: string[]) {
    return this.endpoints.getEndpointsByIds(ids);
  }
  listEndpoints(tenantId: string, page: PageRequest) {
    return this.endpoints.listEndpoints(tenantId, page);
  }
  listReceivingEndpoints(tenantId: string) {
    return this.endpoints.listReceivingEndpoints(tenantId);
  }
  updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number) {
    return this.endpoints.updateEndpoint(tenantId, id, patch, now);
  }
  deleteEndpoint(tenantId: string, id: string, now: number) {
    return this.endpoints.deleteEndpoint(tenantId, id, now);
  }

  addResource(tenantId: string, endpointId: string, resourceId: string, now: number) {
    return this.resources.addResource(tenantId, endpointId, resourceId, now);
  }
  removeResource(tenantId: string, endpointId: string, resourceId: string) {
    return this.resources.removeResource(tenantId, endpointId, resourceId);
  }
  hasResource(endpointId: string, resourceId: string) {
    return this.resources.hasResource(endpointId, resourceId);
  }
  listResources(endpointId: string, page: PageRequest) {
    return this.resources.listResources(endpointId, page);
  }
  matchResources(endpointIds: string[], resources: string[]) {
    return this.resources.matchResources(endpointIds, resources);
  }

  insertEvents(events: NewEvent[]) {
    return this.events.insertEvents(events);
  }
  findEventByIdempotencyKey(tenantId: string, key: string) {
    return this.events.findEventByIdempotencyKey(tenantId, key);
  }
  getEvent(tenantId: string, id: string) {
    return this.events.getEvent(tenantId, id);
  }
  listEvents(tenantId: string, filter: EventFilter, page: PageRequest) {
    return this.events.listEvents(tenantId, filter, page);
  }
  listDeliveriesForEvent(tenantId: string, eventId: string) {
    return this.events.listDeliveriesForEvent(tenantId, eventId);
  }
  getDelivery(id: string) {
    return this.events.getDelivery(id);
  }
  countDeliveries(filter: Parameters<Store['countDeliveries']>[0]) {
    return this.events.countDeliveries(filter);
  }

  claimDeliveries(req: ClaimRequest) {
    return this.claim.claimDeliveries(req);
  }
  completeDeliveries(results: CompletedAttempt[], now: number) {
    return this.queue.completeDeliveries(results, now);
  }
  /** Two transactions: the claim locks endpoint rows that the completion does not need to hold. */
  async completeAndClaim(results: CompletedAttempt[], req: ClaimRequest) {
    const transitions = results.length > 0 ? await this.queue.completeDeliveries(results, req.now) : [];
    return { transitions, claimed: await this.claim.claimDeliveries(req) };
  }
  releaseDeliveries(owner: string, ids: string[], now: number) {
    return this.queue.releaseDeliveries(owner, ids, now);
  }
  reclaimExpiredLeases(now: number) {
    return this.queue.reclaimExpiredLeases(now);
  }
  nextDueAt() {
    return this.queue.nextDueAt();
  }
  retryDeliveries(req: RetryRequest) {
    return this.queue.retryDeliveries(req);
  }

  insertAttempt(attempt: Attempt) {
    return this.attempts.insertAttempt(attempt);
  }
  async getAttempt(tenantId: string, id: string) {
    const attempt = await this.attempts.getAttempt(tenantId, id);
    return attempt && withBatchInfo([attempt], await this.batches.attemptBatchInfo([attempt.id]))[0]!;
  }
  async listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest) {
    const list = await this.attempts.listAttempts(tenantId, filter, page);
    const info = await this.batches.attemptBatchInfo(list.data.map((a) => a.id));
    return { ...list, data: withBatchInfo(list.data, info) };
  }
  summarizeAttempts(tenantId: string, filter: AttemptFilter) {
    return this.attempts.summarizeAttempts(tenantId, filter);
  }

  // Batching
  claimBatches(req: ClaimRequest) {
    return this.batches.claimBatches(req);
  }
  completeBatches(results: CompletedBatch[], now: number) {
    return this.batches.completeBatches(results, now);
  }
  releaseBatches(owner: string, ids: string[], now: number) {
    return this.batches.releaseBatches(owner, ids, now);
  }

  // Flow control
  configureFlow(policy: FlowPolicy): void {
    this.queue.flowPolicy = policy;
    this.batches.flowPolicy = policy;
  }
  async getCircuits(endpointIds: string[]) {
    return circuitsOf(endpointIds, await loadFlowStates(this.pool, endpointIds));
  }

  notifyWork(): void {
    this.work.notify();
  }
  onWork(listener: () => void): () => void {
    return this.work.subscribe(listener);
  }
  onDropped(listener: (count: number) => void): () => void {
    this.droppedListeners.add(listener);
    return () => {
      this.droppedListeners.delete(listener);
    };
  }
}
