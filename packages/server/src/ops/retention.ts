/**
 * Retention: every minute, delete what is older than `retentionDays` —
 * attempts, then events whose deliveries are all finished (with those
 * deliveries), then rollup minutes and finished jobs. Each batch is its own
 * short transaction with a pause after it, so delivery keeps the database
 * between batches and never waits long behind a purge.
 */
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { OpsStore } from '../store/ops-port.ts';

export interface RetentionOptions {
  retentionDays: number;
  /** How often a purge run starts. */
  intervalMs: number;
  /** Rows per transaction. */
  batchSize: number;
  /** Pause between batches, leaving the write lock to delivery. */
  pauseMs: number;
  /** Most batches per table in one run, so a huge backlog is worked off over several runs. */
  maxBatchesPerRun: number;
}

export const DEFAULT_RETENTION_OPTIONS: Omit<RetentionOptions, 'retentionDays'> = {
  intervalMs: 60_000,
  batchSize: 500,
  pauseMs: 20,
  maxBatchesPerRun: 2000,
};

export interface PurgeCounts {
  attempts: number;
  events: number;
  opsRows: number;
}

const DAY_MS = 86_400_000;

export class RetentionLoop {
  private readonly options: RetentionOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PurgeCounts> | null = null;
  private stopped = true;
  /** Set by stop(): a run in progress ends after its current batch. */
  private aborting = false;

  constructor(
    private readonly deps: {
      ops: OpsStore;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'error'>;
      /** Waits between batches; tests pass one that resolves at once. */
      pause?: (ms: number) => Promise<void>;
    },
    options: Partial<RetentionOptions> & { retentionDays: number },
  ) {
    this.options = { ...DEFAULT_RETENTION_OPTIONS, ...options };
  }

  /** The oldest time kept: rows created before it are purged. */
  cutoff(): number {
    return this.deps.clock.now() - this.options.retentionDays * DAY_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.aborting = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.aborting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One purge run to completion (or to maxBatchesPerRun per table). */
  runOnce(): Promise<PurgeCounts> {
    this.running ??= this.purge().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .then((counts) => {
          if (counts.attempts + counts.events + counts.opsRows > 0) {
            this.deps.logger.info(
              { ...counts, retentionDays: this.options.retentionDays },
              'retention purge',
            );
          }
        })
        .catch((err: unknown) => this.deps.logger.error({ err }, 'retention purge failed; retrying next run'))
        .finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private async purge(): Promise<PurgeCounts> {
    const cutoff = this.cutoff();
    const { ops } = this.deps;
    return {
      attempts: await this.drain((n) => ops.purgeAttempts(cutoff, n)),
      events: await this.drain((n) => ops.purgeEvents(cutoff, n)),
      opsRows: await this.drain((n) => ops.purgeOpsRows(cutoff, n)),
    };
  }

  private async drain(batch: (limit: number) => Promise<number>): Promise<number> {
    const { batchSize, maxBatchesPerRun, pauseMs } = this.options;
    let total = 0;
    for (let i = 0; i < maxBatchesPerRun && !this.aborting; i++) {
      const n = await batch(batchSize);
      total += n;
      if (n < batchSize) break;
      await (this.deps.pause ?? sleep)(pauseMs);
    }
    return total;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
