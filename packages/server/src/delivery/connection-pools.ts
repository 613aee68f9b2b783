/**
 * Outbound connections, kept apart per endpoint. Each key (in the worker: an
 * endpoint id) gets its own undici pool per origin, with as many connections
 * as it may have requests in flight, so one endpoint's hung sockets can never
 * make another endpoint's request wait, even on the same host and port. Pools
 * nobody used for `idleMs` are closed; an overall count bounds the requests
 * in flight across every pool.
 */
import type { Dispatcher } from 'undici';

/** A counting semaphore whose waiters can give up (their deadline passed). */
export class Slots {
  private used = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly size: number) {}

  get idle(): boolean {
    return this.used === 0 && this.waiters.size === 0;
  }

  /** True with a slot held, or false if `signal` aborted first (then nothing is held). */
  acquire(signal: AbortSignal): Promise<boolean> | true {
    if (signal.aborted) return Promise.resolve(false);
    if (this.used < this.size && this.waiters.size === 0) {
      this.used++;
      return true;
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', giveUp);
        resolve(true);
      };
      const giveUp = () => {
        this.waiters.delete(grant);
        resolve(false);
      };
      this.waiters.add(grant);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  release(): void {
    // The slot passes straight to the oldest waiter, so `used` stays as it is.
    for (const next of this.waiters) {
      this.waiters.delete(next);
      next();
      return;
    }
    this.used--;
  }
}

export interface PoolLease {
  dispatcher: Dispatcher;
  slots: Slots;
  /** Call once undici is done with the request (answered, failed or aborted). */
  release(): void;
}

interface Entry {
  dispatcher: Dispatcher;
  slots: Slots;
  idleTimer: NodeJS.Timeout | null;
}

export class ConnectionPools {
  private readonly entries = new Map<string, Entry>();
  /** Requests in flight across every pool. */
  readonly total: Slots;

  constructor(
    private readonly make: (origin: string, connections: number) => Dispatcher,
    private readonly idleMs: number,
    maxConnections: number,
  ) {
    this.total = new Slots(maxConnections);
  }

  /**
   * The pool for `key` at `origin` with `connections` sockets. The size is
   * part of the key: an endpoint whose limit changed gets a new pool and the
   * old one closes once idle.
   */
  lease(key: string, origin: string, connections: number): PoolLease {
    const id = `${key} ${origin} ${connections}`;
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { dispatcher: this.make(origin, connections), slots: new Slots(connections), idleTimer: null };
      this.entries.set(id, entry);
    }
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = null;
    }
    const held = entry;
    return {
      dispatcher: held.dispatcher,
      slots: held.slots,
      release: () => this.closeWhenIdle(id, held),
    };
  }

  /** Pools open now (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  private closeWhenIdle(id: string, entry: Entry): void {
    if (!entry.slots.idle || entry.idleTimer || this.entries.get(id) !== entry) return;
    entry.idleTimer = setTimeout(() => {
      if (!entry.slots.idle || this.entries.get(id) !== entry) return;
      this.entries.delete(id);
      void entry.dispatcher.close().catch(() => {});
    }, this.idleMs);
    entry.idleTimer.unref();
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) if (e.idleTimer) clearTimeout(e.idleTimer);
    await Promise.allSettled(entries.map((e) => e.dispatcher.close()));
  }
}
