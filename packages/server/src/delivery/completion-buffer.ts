import type { Logger } from 'pino';
import type { CompletedAttempt, Store } from '../store/port.ts';

/**
 * Group commit for attempt results: everything that completes within one
 * turn of the event loop is written in one transaction. While a write is
 * running, new results gather for the next one. A failed write is retried
 * (the store may be restarting); leases keep the deliveries safe meanwhile.
 */
export class CompletionBuffer {
  private pending: CompletedAttempt[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly maxBatch = 1000,
  ) {}

  add(result: CompletedAttempt): void {
    this.pending.push(result);
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
  }

  get size(): number {
    return this.pending.length;
  }

  /** Writes everything buffered so far; resolves when it is stored. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.write();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    if (this.pending.length > 0) await this.flush();
  }

  private async write(): Promise<void> {
    let failures = 0;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.maxBatch);
      try {
        await this.store.completeDeliveries(batch, this.now());
        this.pending.splice(0, batch.length);
        failures = 0;
      } catch (err) {
        failures += 1;
        this.logger.error(
          { err, results: batch.length, failures },
          'could not record attempt results; retrying',
        );
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** failures)));
      }
    }
  }
}
