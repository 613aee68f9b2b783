import type { Logger } from 'pino';
import { newId } from '../domain/ids.ts';
import type { ClaimedDelivery, Store } from '../store/port.ts';
import { type AttemptRunnerDeps, runAttempt } from './attempt-runner.ts';
import { CompletionBuffer } from './completion-buffer.ts';
import { EndpointCache } from './endpoint-cache.ts';

export interface DispatcherOptions {
  /** Requests in flight at once in this worker, across all endpoints. */
  concurrency: number;
  /** Most deliveries claimed per query. */
  claimBatch: number;
  /** Lease beyond the request timeout, so a lease never ends before its request does. */
  leaseMarginMs: number;
  /** Sleep between claims when nothing is due and nothing woke the worker. */
  pollIntervalMs: number;
  /** How often expired leases (of dead workers) are swept back to pending. */
  sweepIntervalMs: number;
  /** Pause after a wake-up before claiming, so that freed slots are refilled in batches. */
  claimGapMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  concurrency: 512,
  claimBatch: 256,
  leaseMarginMs: 5_000,
  pollIntervalMs: 1000,
  sweepIntervalMs: 5000,
  claimGapMs: 1,
};

export interface DispatcherDeps extends AttemptRunnerDeps {
  store: Store;
  logger: Logger;
}

/**
 * The worker loop: claim due deliveries, send each (at most `concurrency` at
 * once), and hand results to the completion buffer. The per-endpoint in-flight
 * limit is enforced by the claim itself, across every worker sharing the store.
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

  constructor(
    private readonly deps: DispatcherDeps,
    options: Partial<DispatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_DISPATCHER_OPTIONS, ...options };
    this.endpoints = new EndpointCache(deps.store);
    this.completions = new CompletionBuffer(deps.store, () => deps.clock.now(), deps.logger);
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
    await Promise.allSettled([...this.inFlight]);
    await this.completions.flush();
  }

  /**
   * One round: sweep expired leases if due, claim what fits, send it all and
   * store the results. The loop uses it; tests drive it directly with a fake clock.
   */
  async runOnce(): Promise<number> {
    const { claimed } = await this.claimRound();
    await Promise.allSettled([...this.inFlight]);
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
      const free = this.options.concurrency - this.inFlight.size;
      // A full claim means more is probably due: go again at once if there is room.
      if (round.requested > 0 && round.claimed === round.requested && free > 0) continue;
      await this.sleep(await this.idleDelay(free));
      // Let completions that arrive together free their slots together, so the
      // next claim is one query for many deliveries rather than one per delivery.
      await new Promise((r) => setTimeout(r, this.options.claimGapMs));
    }
  }

  private async idleDelay(free: number): Promise<number> {
    if (free <= 0) return this.options.pollIntervalMs; // woken early when a slot frees
    try {
      const next = await this.deps.store.nextDueAt();
      if (next === null) return this.options.pollIntervalMs;
      return Math.max(0, Math.min(this.options.pollIntervalMs, next - this.deps.clock.now()));
    } catch {
      return this.options.pollIntervalMs;
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
    if (now - this.lastSweepAt >= this.options.sweepIntervalMs) {
      this.lastSweepAt = now;
      const reclaimed = await this.deps.store.reclaimExpiredLeases(now);
      if (reclaimed > 0)
        this.deps.logger.warn({ reclaimed }, 'deliveries whose lease ended were made due again');
    }
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return { claimed: 0, requested: 0 };
    const requested = Math.min(free, this.options.claimBatch);
    const claimed = await this.deps.store.claimDeliveries({
      owner: this.owner,
      limit: requested,
      leaseMs: this.options.leaseMarginMs,
      now,
    });
    if (claimed.length === 0) return { claimed: 0, requested };
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
    return { claimed: claimed.length, requested };
  }

  private launch(delivery: ClaimedDelivery, endpoint: Parameters<typeof runAttempt>[3]): void {
    const task = runAttempt(this.deps, this.owner, delivery, endpoint)
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
        this.notify();
      });
    this.inFlight.add(task);
  }
}
