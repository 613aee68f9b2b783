import type { Logger } from 'pino';
import type { CompletedAttempt, Store } from '../store/port.ts';

/**
 * Group commit for attempt results. Results gather here until the
 * dispatcher's next round takes them (`take`) and stores them in the same
 * transaction as its claim; each finished request wakes the dispatcher, so a
 * result waits at most one claim gap. `flush` writes them on their own (when
 * the worker stops, or has no room to claim). A failed write is retried
 * (the store may be restarting); leases keep the deliveries safe meanwhile.
 */
export class CompletionBuffer {
  private pending: CompletedAttempt[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<Store, 'completeDeliveries'>,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly maxBatch = 1000,
  ) {}

  add(result: CompletedAttempt): void {
    this.pending.push(result);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Waits for a flush in progress, then hands over up to `maxBatch` results; `putBack` returns them on failure. */
  async take(): Promise<CompletedAttempt[]> {
    while (this.flushing) await this.flushing;
    return this.pending.splice(0, this.maxBatch);
  }

  /** Results a failed write did not store: first in line again. */
  putBack(results: CompletedAttempt[]): void {
    this.pending.unshift(...results);
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
