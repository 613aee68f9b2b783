/**
 * The PostgreSQL adapter of the Store port: one connection pool shared by
 * every table module, plus one dedicated connection for LISTEN (opened only
 * by processes that run workers). Any number of Herald processes share one
 * database through it.
 */

import type { FlowPolicy } from '../../domain/circuit.ts';
import { type CatalogParts, CatalogStore } from '../catalog-store.ts';
import { circuitsOf } from '../circuits.ts';
import type { ClaimRequest, CompletedAttempt, CompletedBatch, NewEvent, Store } from '../port.ts';
import { PgAttempts } from './attempts.ts';
import { PgBatches } from './batches.ts';
import { PgClaim } from './claim.ts';
import { createPool, INDEXED_TX, type PgOptions, type Pool, withTx } from './db.ts';
import { PgEndpoints } from './endpoints.ts';
import { PgEventTypes } from './event-types.ts';
import { PgEvents } from './events.ts';
import { loadFlowStates } from './flow.ts';
import { PgHealth } from './health.ts';
import { migratePostgres } from './migrate.ts';
import { WorkNotifier } from './notify.ts';
import { PgOps } from './ops/ops-store.ts';
import { recordRollup } from './ops/rollup.ts';
import { PgQueue } from './queue.ts';
import { PgResources } from './resources.ts';
import { PgTenants } from './tenants.ts';

export class PostgresStore extends CatalogStore implements Store {
  readonly pool: Pool;
  private readonly work: WorkNotifier;
  private readonly events: PgEvents;
  private readonly claim: PgClaim;
  private readonly queue: PgQueue;
  private readonly batches: PgBatches;
  private readonly parts: CatalogParts;
  /** Stats rollups, queue gauges, retention and recovery jobs (the OpsStore port). */
  readonly ops: PgOps;
  /** Endpoint health, circuit reset and retry now (store/health-port.ts). */
  readonly health: PgHealth;
  private closing: Promise<void> | null = null;
  private readonly droppedListeners = new Set<(count: number) => void>();

  constructor(private readonly options: PgOptions) {
    super();
    this.pool = createPool(options);
    this.work = new WorkNotifier(this.pool, options, options.logger);
    this.events = new PgEvents(this.pool, (n) => {
      for (const listener of this.droppedListeners) listener(n);
    });
    this.claim = new PgClaim(this.pool);
    this.queue = new PgQueue(this.pool);
    this.batches = new PgBatches(this.pool);
    this.ops = new PgOps(this.pool);
    this.health = new PgHealth(this.pool);
    this.parts = {
      tenants: new PgTenants(this.pool),
      eventTypes: new PgEventTypes(this.pool),
      endpoints: new PgEndpoints(this.pool),
      resources: new PgResources(this.pool),
      events: this.events,
      attempts: new PgAttempts(this.pool),
      batches: this.batches,
      queue: this.queue,
    };
  }

  protected catalog(): CatalogParts {
    return this.parts;
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

  insertEvents(events: NewEvent[]) {
    return this.events.insertEvents(events);
  }

  claimDeliveries(req: ClaimRequest) {
    return this.claim.claimDeliveries(req);
  }
  completeDeliveries(results: CompletedAttempt[], now: number) {
    return this.queue.completeDeliveries(results, now);
  }
  /**
   * One transaction per dispatcher round: the results first (their in-flight rows
   * then no longer count against their endpoints), then the claim. The claim
   * never waits on a lock (claim.ts), so a round waits only where a completion
   * does, on locks everyone takes in the same order.
   */
  completeAndClaim(results: CompletedAttempt[], req: ClaimRequest) {
    return withTx(
      this.pool,
      async (client) => {
        const transitions = await this.queue.completeInTx(client, results, req.now);
        const claimed = await this.claim.claimInTx(client, req);
        // Last: the rollup rows other workers' completions share are held only until the commit.
        await recordRollup(
          client,
          results.map((r) => r.attempt),
        );
        return { transitions, claimed };
      },
      INDEXED_TX,
    );
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
