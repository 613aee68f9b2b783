import type { Logger } from 'pino';
import type { FlowTransition } from '../domain/circuit.ts';
import { newId } from '../domain/ids.ts';
import type { Endpoint } from '../domain/types.ts';
import type {
  ClaimedBatch,
  ClaimedDelivery,
  CompletedAttempt,
  CompletedBatch,
  Store,
} from '../store/port.ts';
import { type AttemptRunnerDeps, runAttempt } from './attempt-runner.ts';
import { runBatch } from './batch-runner.ts';
import { CompletionBuffer } from './completion-buffer.ts';
import { EndpointCache } from './endpoint-cache.ts';
import type { EndpointChanges } from './endpoint-changes.ts';
import { EndpointShare } from './endpoint-share.ts';
import { CONNECT_TIMEOUT_MS } from './http-client.ts';
import { idleWait } from './idle-wait.ts';

export interface DispatcherOptions {
  /** Requests in flight at once in this worker, across all endpoints. */
  concurrency: number;
  /** Most deliveries claimed per query. */
  claimBatch: number;
  /**
   * Lease beyond the request timeout, so a lease never ends before its request
   * does: it covers getting a connection (CONNECT_TIMEOUT_MS, 5 s) with 5 s to spare.
   */
  leaseMarginMs: number;
  /** Sleep between claims when nothing is due and nothing woke the worker. */
  pollIntervalMs: number;
  /** How often expired leases (of dead workers) are swept back to pending. */
  sweepIntervalMs: number;
  /**
   * Pause after a wake-up before claiming, so that freed slots are refilled in
   * batches. 0 still yields one turn of the event loop (setImmediate), which
   * gathers the results that arrived together; longer pauses leave slots
   * idle (5 ms cost about 15 % of firehose throughput with the sender thread).
   */
  claimGapMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  concurrency: 512,
  claimBatch: 256,
  leaseMarginMs: 10_000,
  pollIntervalMs: 1000,
  sweepIntervalMs: 5000,
  claimGapMs: 0,
};

export interface DispatcherDeps extends AttemptRunnerDeps {
  store: Store;
  logger: Logger;
  /** Hears what completions did to endpoints and deliveries (ops/operational-events.ts). */
  onTransitions?: (transitions: FlowTransition[]) => void;
  /** This process's endpoint writes: each drops that endpoint from the cache at once. */
  endpointChanges?: EndpointChanges;
}

/**
 * The worker loop: claim due deliveries, send each (at most `concurrency` at
 * once), and hand results to the completion buffer. The per-endpoint in-flight
 * limit is enforced by the claim itself, across every worker sharing the store;
 * this worker's share per endpoint (a quarter of its slots) by EndpointShare.
 */
export class Dispatcher {
  readonly owner = newId('wrk');
  private readonly options: DispatcherOptions;
  private readonly endpoints: EndpointCache;
  private readonly completions: CompletionBuffer;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private woken = false;
  private unsubscribe: (() => void) | null = null;
  private lastSweepAt = 0;
  /** This worker's share per endpoint (domain/fair-share.ts), enforced as claimed work starts. */
  private readonly share: EndpointShare;
  private readonly attemptDeps: AttemptRunnerDeps;
  /** Claim rounds in a row that took nothing. */
  private emptyRounds = 0;

  constructor(
    private readonly deps: DispatcherDeps,
    options: Partial<DispatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_DISPATCHER_OPTIONS, ...options };
    this.endpoints = new EndpointCache(deps.store);
    this.attemptDeps = { ...deps, workerConcurrency: this.options.concurrency };
    this.share = new EndpointShare({
      store: deps.store,
      owner: this.owner,
      logger: deps.logger,
      now: () => deps.clock.now(),
      workerConcurrency: this.options.concurrency,
      startBudgetMs: CONNECT_TIMEOUT_MS + 1000,
    });
    deps.endpointChanges?.subscribe((id) => this.endpoints.invalidate(id));
    this.completions = new CompletionBuffer(this.reportingStore(), () => deps.clock.now(), deps.logger);
  }

  /** How the completion buffer writes on its own: transitions go to `onTransitions` once committed. */
  private reportingStore(): Pick<Store, 'completeDeliveries'> {
    return {
      completeDeliveries: async (results: CompletedAttempt[], now: number) => {
        const transitions = (await this.deps.store.completeDeliveries(results, now)) ?? [];
        this.report(transitions);
        return transitions;
      },
    };
  }

  /** Committed transitions: disabled endpoints leave the cache, and `onTransitions` hears them all. */
  private report(transitions: FlowTransition[]): void {
    for (const t of transitions) if (t.type === 'endpoint.disabled') this.endpoints.invalidate(t.endpointId);
    if (transitions.length > 0) this.deps.onTransitions?.(transitions);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.store.onWork(() => this.notify());
    this.loopDone = this.loop();
  }

  /** Work may be due: claim now instead of at the next poll. */
  notify(): void {
    this.woken = true;
    this.wake?.();
  }

  /**
   * Stops claiming, lets requests in flight finish (each is bounded by its
   * endpoint's timeout), and stores their results. Anything still unsent
   * stays leased and is picked up again when the lease ends.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.notify();
    await this.loopDone;
    // Held work is not in flight: it goes back now rather than after its lease.
    this.share.releaseAll();
    await this.drain();
    await this.completions.flush();
  }

  /** Waits for every request, including held ones that start as others finish, and every give-back. */
  private async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.share.settled();
  }

  /**
   * One round: sweep expired leases if due, claim what fits, send it all and
   * store the results. The loop uses it; tests drive it directly with a fake clock.
   */
  async runOnce(): Promise<number> {
    const { claimed } = await this.claimRound();
    await this.drain();
    await this.completions.flush();
    return claimed;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let round = { claimed: 0, requested: 0 };
      try {
        round = await this.claimRound();
      } catch (err) {
        this.deps.logger.error({ err }, 'claiming deliveries failed; retrying after the poll interval');
      }
      if (!this.running) break;
      this.emptyRounds = round.claimed === 0 ? this.emptyRounds + 1 : 0;
      const free = this.options.concurrency - this.inFlight.size;
      // A full claim means more is probably due: go again at once if there is room.
      if (round.requested > 0 && round.claimed === round.requested && free > 0) continue;
      await this.sleep(await this.idleDelay(free));
      // Let completions that arrive together free their slots together, so the
      // next claim is one query for many deliveries rather than one per delivery.
      const gap = this.options.claimGapMs;
      await new Promise((r) => (gap > 0 ? setTimeout(r, gap) : setImmediate(r)));
    }
  }

  private async idleDelay(free: number): Promise<number> {
    const { pollIntervalMs } = this.options;
    if (free <= 0) return pollIntervalMs; // woken early when a slot frees
    try {
      const nextDueAt = await this.deps.store.nextDueAt();
      return idleWait({
        free,
        nextDueAt,
        now: this.deps.clock.now(),
        emptyRounds: this.emptyRounds,
        pollIntervalMs,
      });
    } catch {
      return pollIntervalMs;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || ms <= 0) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        self.woken = false;
        resolve();
      }
      this.wake = done;
    });
  }

  private async claimRound(): Promise<{ claimed: number; requested: number }> {
    const now = this.deps.clock.now();
    this.share.sweep();
    if (now - this.lastSweepAt >= this.options.sweepIntervalMs) {
      this.lastSweepAt = now;
      // Results still buffered go first: a lease that ended while its result waited
      // here must not be reclaimed, or the delivery would be sent again.
      await this.completions.flush();
      const reclaimed = await this.deps.store.reclaimExpiredLeases(now);
      if (reclaimed > 0)
        this.deps.logger.warn({ reclaimed }, 'deliveries whose lease ended were made due again');
    }
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) {
      await this.completions.flush();
      return { claimed: 0, requested: 0 };
    }
    const requested = Math.min(free, this.options.claimBatch);
    // Finished results are stored in the claim's transaction, before it counts
    // in-flight rows per endpoint: a result still unstored would make its endpoint look full.
    const results = await this.completions.take();
    let claimed: ClaimedDelivery[];
    try {
      const round = await this.deps.store.completeAndClaim(results, {
        owner: this.owner,
        limit: requested,
        leaseMs: this.options.leaseMarginMs,
        now,
      });
      claimed = round.claimed;
      this.report(round.transitions);
    } catch (err) {
      this.completions.putBack(results);
      throw err;
    }
    const batches = await this.claimBatches(free - claimed.length, now);
    // Batches only add to the round: finding none never stops a full delivery claim from going again.
    const total = { claimed: claimed.length + batches.claimed, requested: requested + batches.claimed };
    if (claimed.length === 0) return total;
    const endpoints = await this.endpoints.getMany(
      claimed.map((c) => c.endpointId),
      now,
    );
    const unsendable: string[] = [];
    for (const delivery of claimed) {
      const endpoint = endpoints.get(delivery.endpointId);
      if (endpoint?.status !== 'active') {
        unsendable.push(delivery.id);
        continue;
      }
      this.launch(delivery, endpoint);
    }
    if (unsendable.length > 0) await this.deps.store.releaseDeliveries(this.owner, unsendable, now);
    return total;
  }

  /** Batches of batching endpoints: each is one request, so it takes one slot of `concurrency`. */
  private async claimBatches(free: number, now: number): Promise<{ claimed: number; requested: number }> {
    const requested = Math.min(free, this.options.claimBatch);
    if (requested <= 0) return { claimed: 0, requested: 0 };
    const batches = await this.deps.store.claimBatches({
      owner: this.owner,
      limit: requested,
      leaseMs: this.options.leaseMarginMs,
      now,
    });
    if (batches.length === 0) return { claimed: 0, requested };
    const endpoints = await this.endpoints.getMany(
      batches.map((b) => b.endpointId),
      now,
    );
    const unsendable: string[] = [];
    for (const batch of batches) {
      const endpoint = endpoints.get(batch.endpointId);
      if (endpoint?.status !== 'active') unsendable.push(batch.id);
      else this.launchBatch(batch, endpoint);
    }
    if (unsendable.length > 0) await this.deps.store.releaseBatches(this.owner, unsendable, now);
    return { claimed: batches.length, requested };
  }

  private launchBatch(batch: ClaimedBatch, endpoint: Endpoint): void {
    this.share.admit(endpoint, {
      kind: 'batch',
      id: batch.id,
      leaseExpiresAt: batch.leaseExpiresAt,
      start: () => this.startBatch(batch, endpoint),
    });
  }

  private startBatch(batch: ClaimedBatch, endpoint: Endpoint): void {
    const task = runBatch(this.attemptDeps, this.owner, batch, endpoint)
      .then(async (result) => {
        if (result.disableEndpoint) this.endpoints.invalidate(endpoint.id);
        await this.storeBatchResult(result);
      })
      .catch((err: unknown) => {
        // As for a single delivery: the lease ends and the batch is sent again, so nothing is lost.
        this.deps.logger.error({ err, batchId: batch.id }, 'unexpected error while sending a batch');
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.share.finished(endpoint.id);
        this.notify();
      });
    this.inFlight.add(task);
  }

  /**
   * A batch's result is written on its own (it already carries many events).
   * A failed write is retried while the worker runs; the lease keeps the batch safe meanwhile.
   */
  private async storeBatchResult(result: CompletedBatch): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        const transitions = (await this.deps.store.completeBatches([result], this.deps.clock.now())) ?? [];
        this.report(transitions);
        return;
      } catch (err) {
        this.deps.logger.error(
          { err, batchId: result.batchId, failures },
          'could not record a batch result; retrying',
        );
        if (!this.running || failures >= 10) throw err;
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
      }
    }
  }

  private launch(delivery: ClaimedDelivery, endpoint: Endpoint): void {
    this.share.admit(endpoint, {
      kind: 'delivery',
      id: delivery.id,
      leaseExpiresAt: delivery.leaseExpiresAt,
      start: () => this.startDelivery(delivery, endpoint),
    });
  }

  private startDelivery(delivery: ClaimedDelivery, endpoint: Endpoint): void {
    const task = runAttempt(this.attemptDeps, this.owner, delivery, endpoint)
      .then((result) => {
        this.completions.add(result);
        if (result.disableEndpoint) this.endpoints.invalidate(endpoint.id);
      })
      .catch((err: unknown) => {
        // runAttempt reports failures as data; reaching here is a bug. The lease
        // ends and the delivery is retried, so nothing is lost.
        this.deps.logger.error({ err, deliveryId: delivery.id }, 'unexpected error while sending a delivery');
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.share.finished(endpoint.id);
        this.notify();
      });
    this.inFlight.add(task);
  }
}
