/**
 * The SQLite adapter of the Store port. better-sqlite3 is synchronous, so
 * each method runs its whole transaction without yielding; the async
 * signatures are the port's, shared with adapters that do yield.
 */
import { EventEmitter } from 'node:events';
import type { FlowPolicy } from '../../domain/circuit.ts';
import { type CatalogParts, CatalogStore } from '../catalog-store.ts';
import { circuitsOf } from '../circuits.ts';
import type {
  ClaimRequest,
  CompletedAndClaimed,
  CompletedAttempt,
  CompletedBatch,
  NewEvent,
  Store,
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

interface Parts extends CatalogParts {
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

export class SqliteStore extends CatalogStore implements Store {
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
    super();
    this.db = openDatabase(path, options);
    this.ops = new SqliteOps(this.db);
    this.health = new SqliteHealth(this.db);
    this.work.setMaxListeners(0);
  }

  protected catalog(): Parts {
    return this.p;
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

  async insertEvents(events: NewEvent[]) {
    return this.p.events.insertEvents(events);
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
