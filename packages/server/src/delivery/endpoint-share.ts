/**
 * The worker's side of the per-endpoint share (domain/fair-share.ts). The
 * claim already keeps an endpoint within its stored `maxInFlight` across all
 * workers; this keeps it within what *this* worker allows, which is less when
 * the worker has fewer slots than the API that validated the endpoint, or
 * when the row was stored before the cap existed.
 *
 * Claimed work beyond the share is held, not sent: it stays leased (so the
 * claim counts it and stops offering more of that endpoint) but takes no
 * slot, and starts when one of the endpoint's own requests finishes. Work
 * held so long that its lease could end before its request does is given
 * back unsent (pending again, the attempt not counted) for any worker to
 * claim, so nothing is sent twice and nothing waits for ever.
 */
import type { Logger } from 'pino';
import { effectiveMaxInFlight } from '../domain/fair-share.ts';
import type { Endpoint } from '../domain/types.ts';
import type { Store } from '../store/port.ts';

/** A claimed delivery or batch, as the dispatcher hands it over. */
export interface ClaimedWork {
  kind: 'delivery' | 'batch';
  id: string;
  leaseExpiresAt: number;
  /** Sends it (the dispatcher's launch); `finished` must be called when it is done. */
  start(): void;
}

interface ShareJob extends ClaimedWork {
  endpointId: string;
  /** The endpoint's response timeout: a held job starts only while its lease still covers a whole request. */
  timeoutMs: number;
}

export interface EndpointShareDeps {
  store: Pick<Store, 'releaseDeliveries' | 'releaseBatches'>;
  owner: string;
  logger: Logger;
  now: () => number;
  workerConcurrency: number;
  /** Beyond its timeout, what a request may need before it is written (CONNECT_TIMEOUT_MS) plus a safety margin. */
  startBudgetMs: number;
}

export class EndpointShare {
  private readonly running = new Map<string, number>();
  private readonly held = new Map<string, ShareJob[]>();
  private readonly givingBack = new Set<Promise<void>>();
  private readonly limits = new Map<string, number>();
  private readonly clampedLogged = new Set<string>();

  constructor(private readonly deps: EndpointShareDeps) {}

  /** Starts the work if its endpoint is within its share here, else holds it. */
  admit(endpoint: Endpoint, work: ClaimedWork): void {
    const job: ShareJob = { ...work, endpointId: endpoint.id, timeoutMs: endpoint.timeoutMs };
    const limit = this.limitOf(endpoint);
    const running = this.running.get(job.endpointId) ?? 0;
    if (running < limit) {
      this.running.set(job.endpointId, running + 1);
      job.start();
      return;
    }
    const queue = this.held.get(job.endpointId);
    if (queue) queue.push(job);
    else this.held.set(job.endpointId, [job]);
  }

  /** One of the endpoint's jobs is done: its slot goes to the next held job that can still finish in time. */
  finished(endpointId: string): void {
    const running = (this.running.get(endpointId) ?? 1) - 1;
    if (running > 0) this.running.set(endpointId, running);
    else this.running.delete(endpointId);
    const queue = this.held.get(endpointId);
    if (!queue) {
      // Nothing of it here any more: forget its limit, so a worker that saw a million endpoints keeps none.
      if (running === 0) this.limits.delete(endpointId);
      return;
    }
    const limit = this.limits.get(endpointId) ?? 1;
    const now = this.deps.now();
    const late: ShareJob[] = [];
    let started = running;
    while (queue.length > 0 && started < limit) {
      const job = queue.shift()!;
      if (!this.canStart(job, now)) {
        late.push(job);
        continue;
      }
      this.running.set(endpointId, ++started);
      job.start();
    }
    if (queue.length === 0) this.held.delete(endpointId);
    this.giveBack(late);
  }

  /** Gives back held jobs whose lease no longer covers a request started now. */
  sweep(): void {
    const now = this.deps.now();
    const late: ShareJob[] = [];
    for (const [endpointId, queue] of this.held) {
      const keep: ShareJob[] = [];
      for (const job of queue) (this.canStart(job, now) ? keep : late).push(job);
      if (keep.length === 0) this.held.delete(endpointId);
      else this.held.set(endpointId, keep);
    }
    this.giveBack(late);
  }

  /** Gives back everything held (the worker is stopping). */
  releaseAll(): void {
    const all = [...this.held.values()].flat();
    this.held.clear();
    this.giveBack(all);
  }

  /** Jobs held now, across endpoints. */
  get heldCount(): number {
    let n = 0;
    for (const queue of this.held.values()) n += queue.length;
    return n;
  }

  /** Resolves once every give-back started so far is written (or has failed and been logged). */
  async settled(): Promise<void> {
    while (this.givingBack.size > 0) await Promise.allSettled([...this.givingBack]);
  }

  /** The endpoint's limit here, as last seen; said once per endpoint when its stored value is clamped. */
  private limitOf(endpoint: Endpoint): number {
    const { workerConcurrency, logger } = this.deps;
    const limit = effectiveMaxInFlight(endpoint, workerConcurrency);
    this.limits.set(endpoint.id, limit);
    if (limit < endpoint.maxInFlight && !this.clampedLogged.has(endpoint.id)) {
      this.clampedLogged.add(endpoint.id);
      logger.warn(
        { endpointId: endpoint.id, maxInFlight: endpoint.maxInFlight, share: limit },
        `endpoint maxInFlight is above this worker's share (a quarter of its ${workerConcurrency} slots); at most ${limit} go at once`,
      );
    }
    return limit;
  }

  private canStart(job: ShareJob, now: number): boolean {
    return now + job.timeoutMs + this.deps.startBudgetMs <= job.leaseExpiresAt;
  }

  private giveBack(jobs: ShareJob[]): void {
    if (jobs.length === 0) return;
    const now = this.deps.now();
    const ids = (kind: ShareJob['kind']) => jobs.filter((j) => j.kind === kind).map((j) => j.id);
    const { store, owner } = this.deps;
    const deliveries = ids('delivery');
    const batches = ids('batch');
    const task = (async () => {
      if (deliveries.length > 0) await store.releaseDeliveries(owner, deliveries, now);
      if (batches.length > 0) await store.releaseBatches(owner, batches, now);
    })()
      .catch((err: unknown) => {
        // Still leased: they become due again when the lease ends, so this only delays them.
        this.deps.logger.warn(
          { err, deliveries, batches },
          'could not give back held work; its lease will end',
        );
      })
      .finally(() => this.givingBack.delete(task));
    this.givingBack.add(task);
  }
}
