/**
 * The SQLite adapter of the Store port. better-sqlite3 is synchronous, so
 * each method runs its whole transaction without yielding; the async
 * signatures are the port's, shared with adapters that do yield.
 */
import { EventEmitter } from 'node:events';
import type { FlowPolicy } from '../../domain/circuit.ts';
import type { Attempt, Endpoint, NewApiKey, PageRequest, Tenant } from '../../domain/types.ts';
import { withBatchInfo } from '../batch-info.ts';
import { circuitsOf } from '../circuits.ts';
import type {
  ApiKeyFilter,
  AttemptFilter,
  ClaimRequest,
  CompletedAndClaimed,
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
import { SqliteAttempts } from './attempts.ts';
import { SqliteBatches } from './batches.ts';
import { SqliteClaim } from './claim.ts';
import { type Db, openDatabase, type SqliteOptions, StatementCache } from './db.ts';
import { SqliteEndpoints } from './endpoints.ts';
import { SqliteEventTypes } from './event-types.ts';
import { SqliteEvents } from './events.ts';
import { SqliteFlow } from './flow.ts';
import { SqliteHealth } from './health.ts';
import { type MigrateLogger, migrateSqlite } from './migrate.ts';
import { SqliteOps } from './ops/ops-store.ts';
import { SqliteQueue } from './queue.ts';
import { SqliteResources } from './resources.ts';
import { SqliteTenants } from './tenants.ts';

export interface SqliteStoreOptions extends SqliteOptions {
  logger?: MigrateLogger;
}

interface Parts {
  tenants: SqliteTenants;
  eventTypes: SqliteEventTypes;
  endpoints: SqliteEndpoints;
  resources: SqliteResources;
  events: SqliteEvents;
  claim: SqliteClaim;
  queue: SqliteQueue;
  attempts: SqliteAttempts;
  batches: SqliteBatches;
  /** completeAndClaim's single transaction. */
  round: (results: CompletedAttempt[], req: ClaimRequest) => CompletedAndClaimed;
}

export class SqliteStore implements Store {
  private readonly db: Db;
  /** Stats, retention and recovery jobs (the operations port). */
  readonly ops: SqliteOps;
  /** Endpoint health, circuit reset and retry now (store/health-port.ts). */
  readonly health: SqliteHealth;
  private readonly work = new EventEmitter();
  private built: Parts | null = null;

  constructor(
    path: string,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.db = openDatabase(path, options);
    this.ops = new SqliteOps(this.db);
    this.health = new SqliteHealth(this.db);
    this.work.setMaxListeners(0);
  }

  /** Statements are prepared once, on first use: the tables exist only after migrate(). */
  private get p(): Parts {
    if (this.built) return this.built;
    const cache = new StatementCache(this.db);
    const claim = new SqliteClaim(this.db);
    const queue = new SqliteQueue(this.db, this.ops.rollup);
    const round = this.db.transaction((results: CompletedAttempt[], req: ClaimRequest) => ({
      transitions: results.length > 0 ? queue.completeInTransaction(results, req.now) : [],
      claimed: claim.claimInTransaction(req),
    }));
    this.built = {
      tenants: new SqliteTenants(this.db),
      eventTypes: new SqliteEventTypes(this.db, cache),
      endpoints: new SqliteEndpoints(this.db),
      resources: new SqliteResources(this.db),
      events: new SqliteEvents(this.db, cache, (n) => this.work.emit('dropped', n)),
      claim,
      queue,
      attempts: new SqliteAttempts(this.db, cache),
      batches: new SqliteBatches(this.db, this.ops.rollup),
      round: (results, req) => round.immediate(results, req),
    };
    return this.built;
  }

  async migrate() {
    migrateSqlite(this.db, this.options.logger);
  }
  async ping() {
    this.db.prepare('SELECT 1').get();
  }
  async close() {
    this.work.removeAllListeners();
    if (this.db.open) this.db.close();
  }

  async createApiKey(key: NewApiKey) {
    this.p.tenants.createApiKey(key);
  }
  async findApiKeyByHash(hash: string) {
    return this.p.tenants.findApiKeyByHash(hash);
  }
  async countAdminKeys() {
    return this.p.tenants.countAdminKeys();
  }
  async listApiKeys(filter: ApiKeyFilter, page: PageRequest) {
    return this.p.tenants.listApiKeys(filter, page);
  }
  async revokeApiKey(id: string, now: number, scope?: { tenantId: string }) {
    return this.p.tenants.revokeApiKey(id, now, scope);
  }
  async putEnvAdminKey(key: NewApiKey, now: number) {
    return this.p.tenants.putEnvAdminKey(key, now);
  }
  async touchApiKey(id: string, at: number) {
    this.p.tenants.touchApiKey(id, at);
  }

  async createTenant(tenant: Tenant) {
    return this.p.tenants.createTenant(tenant);
  }
  async getTenant(id: string) {
    return this.p.tenants.getTenant(id);
  }
  async listTenants(page: PageRequest) {
    return this.p.tenants.listTenants(page);
  }
  async updateTenant(id: string, patch: TenantPatch, now: number) {
    return this.p.tenants.updateTenant(id, patch, now);
  }
  async deleteTenant(id: string) {
    return this.p.tenants.deleteTenant(id);
  }

  async createEventType(input: NewEventType) {
    return this.p.eventTypes.createEventType(input);
  }
  async getEventType(name: string) {
    return this.p.eventTypes.getEventType(name);
  }
  async listEventTypes(filter: { group?: string }, page: PageRequest) {
    return this.p.eventTypes.listEventTypes(filter, page);
  }
  async updateEventType(name: string, patch: EventTypePatch, now: number) {
    return this.p.eventTypes.updateEventType(name, patch, now);
  }
  async deleteEventType(name: string) {
    return this.p.eventTypes.deleteEventType(name);
  }

  async createEndpoint(endpoint: Endpoint) {
    return this.p.endpoints.createEndpoint(endpoint);
  }
  async getEndpoint(tenantId: string, id: string) {
    return this.p.endpoints.getEndpoint(tenantId, id);
  }
  async getEndpointsByIds(ids: string[]) {
    return this.p.endpoints.getEndpointsByIds(ids);
  }
  async listEndpoints(tenantId: string, page: PageRequest) {
    return this.p.endpoints.listEndpoints(tenantId, page);
  }
  async listReceivingEndpoints(tenantId: string) {
    return this.p.endpoints.listReceivingEndpoints(tenantId);
  }
  async updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number) {
    return this.p.endpoints.updateEndpoint(tenantId, id, patch, now);
  }
  async deleteEndpoint(tenantId: string, id: string, now: number) {
    return this.p.endpoints.deleteEndpoint(tenantId, id, now);
  }

  async addResource(tenantId: string, endpointId: string, resourceId: string, now: number) {
    return this.p.resources.addResource(tenantId, endpointId, resourceId, now);
  }
  async removeResource(tenantId: string, endpointId: string, resourceId: string) {
    return this.p.resources.removeResource(tenantId, endpointId, resourceId);
  }
  async hasResource(endpointId: string, resourceId: string) {
    return this.p.resources.hasResource(endpointId, resourceId);
  }
  async listResources(endpointId: string, page: PageRequest) {
    return this.p.resources.listResources(endpointId, page);
  }
  async matchResources(endpointIds: string[], resources: string[]) {
    return this.p.resources.matchResources(endpointIds, resources);
  }

  async insertEvents(events: NewEvent[]) {
    return this.p.events.insertEvents(events);
  }
  async findEventByIdempotencyKey(tenantId: string, key: string) {
    return this.p.events.findEventByIdempotencyKey(tenantId, key);
  }
  async getEvent(tenantId: string, id: string) {
    return this.p.events.getEvent(tenantId, id);
  }
  async listEvents(tenantId: string, filter: EventFilter, page: PageRequest) {
    return this.p.events.listEvents(tenantId, filter, page);
  }
  async listDeliveriesForEvent(tenantId: string, eventId: string) {
    return this.p.events.listDeliveriesForEvent(tenantId, eventId);
  }
  async getDelivery(id: string) {
    return this.p.events.getDelivery(id);
  }
  async countDeliveries(filter: Parameters<Store['countDeliveries']>[0]) {
    return this.p.events.countDeliveries(filter);
  }

  async claimDeliveries(req: ClaimRequest) {
    return this.p.claim.claimDeliveries(req);
  }
  async completeDeliveries(results: CompletedAttempt[], now: number) {
    return this.p.queue.completeDeliveries(results, now);
  }
  async completeAndClaim(results: CompletedAttempt[], req: ClaimRequest) {
    return this.p.round(results, req);
  }
  async releaseDeliveries(owner: string, ids: string[], now: number) {
    this.p.queue.releaseDeliveries(owner, ids, now);
  }
  async reclaimExpiredLeases(now: number) {
    return this.p.queue.reclaimExpiredLeases(now);
  }
  async nextDueAt() {
    return this.p.queue.nextDueAt();
  }
  async retryDeliveries(req: RetryRequest) {
    return this.p.queue.retryDeliveries(req);
  }

  async insertAttempt(attempt: Attempt) {
    this.p.attempts.insertAttempt(attempt);
  }
  async getAttempt(tenantId: string, id: string) {
    const attempt = this.p.attempts.getAttempt(tenantId, id);
    return attempt && withBatchInfo([attempt], this.p.batches.attemptBatchInfo([attempt.id]))[0]!;
  }
  async listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest) {
    const list = this.p.attempts.listAttempts(tenantId, filter, page);
    const info = this.p.batches.attemptBatchInfo(list.data.map((a) => a.id));
    return { ...list, data: withBatchInfo(list.data, info) };
  }
  async summarizeAttempts(tenantId: string, filter: AttemptFilter) {
    return this.p.attempts.summarizeAttempts(tenantId, filter);
  }

  // Batching
  async claimBatches(req: ClaimRequest) {
    return this.p.batches.claimBatches(req);
  }
  async completeBatches(results: CompletedBatch[], now: number) {
    return this.p.batches.completeBatches(results, now);
  }
  async releaseBatches(owner: string, ids: string[], now: number) {
    this.p.batches.releaseBatches(owner, ids, now);
  }

  // Flow control
  configureFlow(policy: FlowPolicy): void {
    this.p.queue.flowPolicy = policy;
    this.p.batches.flowPolicy = policy;
  }
  async getCircuits(endpointIds: string[]) {
    return circuitsOf(endpointIds, new SqliteFlow(this.db).states(endpointIds));
  }

  // Workers sharing the file from other processes find work by polling; this wakes those in this process.
  notifyWork(): void {
    this.work.emit('work');
  }
  onWork(listener: () => void): () => void {
    this.work.on('work', listener);
    return () => {
      this.work.off('work', listener);
    };
  }
  onDropped(listener: (count: number) => void): () => void {
    this.work.on('dropped', listener);
    return () => {
      this.work.off('dropped', listener);
    };
  }
}
