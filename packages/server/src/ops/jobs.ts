/**
 * The job runner: a worker-side loop that claims one recovery job at a time
 * with a lease, works through it in bounded chunks (each applied with its
 * cursor in one transaction), and wakes the dispatcher after each chunk that
 * made work due. A runner that dies leaves its job leased; once the lease
 * ends another runner resumes it from the saved cursor.
 */
import type { Logger } from 'pino';
import { monotonicFactory } from 'ulid';
import type { Clock } from '../domain/clock.ts';
import { HeraldError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { healthOf } from '../store/health-port.ts';
import type { Job, JobKind, JobParams, OpsStore } from '../store/ops-port.ts';
import type { Store } from '../store/port.ts';
import { DONE_CURSOR, planStep } from './job-steps.ts';

export interface JobRunnerOptions {
  /** Items examined per chunk (one transaction). */
  chunkSize: number;
  /** A claimed job is held this long past each chunk. */
  leaseMs: number;
  /** Sleep between looks for a job when none is queued. */
  pollIntervalMs: number;
}

export const DEFAULT_JOB_RUNNER_OPTIONS: JobRunnerOptions = {
  chunkSize: 500,
  leaseMs: 60_000,
  pollIntervalMs: 1000,
};

const nextUlid = monotonicFactory();

/** A new queued job (`job_…` id); store it with `ops.createJob`. */
export function newJob(tenantId: string, kind: JobKind, params: JobParams, now: number): Job {
  return {
    id: `job_${nextUlid(now)}`,
    tenantId,
    kind,
    params,
    status: 'queued',
    progress: { processed: 0, affected: 0 },
    cursor: null,
    error: null,
    report: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
  };
}

export type StepResult = 'more' | 'done' | 'lost';

export class JobRunner {
  readonly owner = newId('wrk');
  private readonly options: JobRunnerOptions;
  private running = false;
  private stopRequested = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly deps: {
      store: Store;
      ops: OpsStore;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'warn' | 'error'>;
    },
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...DEFAULT_JOB_RUNNER_OPTIONS, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopRequested = false;
    this.loopDone = this.loop();
  }

  /** Stops after the current chunk; an unfinished job stays leased and is resumed later. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopRequested = true;
    this.wake?.();
    await this.loopDone;
  }

  /** Claims a queued job (or one whose runner died). */
  claim(): Promise<Job | null> {
    const now = this.deps.clock.now();
    return this.deps.ops.claimJob(this.owner, now + this.options.leaseMs, now);
  }

  /**
   * Runs one chunk of a claimed job. `lost`: another runner holds it now (our
   * lease ended), so this runner lets it go.
   */
  async step(job: Job): Promise<StepResult> {
    const { store, ops, clock } = this.deps;
    const now = clock.now();
    if (job.cursor === DONE_CURSOR) return (await this.finish(job, null)) ? 'done' : 'lost';
    let plan: Awaited<ReturnType<typeof planStep>>;
    try {
      plan = await planStep(job, {
        store,
        ops,
        health: healthOf(store),
        now,
        chunkSize: this.options.chunkSize,
      });
    } catch (err) {
      if (!(err instanceof HeraldError)) throw err;
      return (await this.finish(job, err.message)) ? 'done' : 'lost';
    }
    const applied = await ops.applyJobChunk({
      jobId: job.id,
      owner: this.owner,
      cursor: job.cursor,
      nextCursor: plan.nextCursor,
      processed: plan.processed,
      ...(plan.retry ? { retry: plan.retry } : {}),
      ...(plan.create ? { create: plan.create } : {}),
      report: plan.report,
      leaseExpiresAt: now + this.options.leaseMs,
      now,
    });
    if (!applied) return 'lost';
    if ((plan.retry?.length ?? 0) > 0 || (plan.create?.deliveries.length ?? 0) > 0) store.notifyWork();
    job.cursor = plan.nextCursor;
    job.progress.processed += plan.processed;
    if (plan.nextCursor !== DONE_CURSOR) return 'more';
    return (await this.finish(job, null)) ? 'done' : 'lost';
  }

  /** Claims one job and runs it to the end. Returns the job, or null when none was queued. */
  async runOnce(): Promise<Job | null> {
    const job = await this.claim();
    if (!job) return null;
    let result: StepResult = 'more';
    while (result === 'more' && !this.stopRequested) result = await this.step(job);
    return job;
  }

  private async finish(job: Job, error: string | null): Promise<boolean> {
    const status = error === null ? 'succeeded' : 'failed';
    const done = await this.deps.ops.finishJob(job.id, this.owner, { status, error }, this.deps.clock.now());
    if (done) this.deps.logger.info({ jobId: job.id, kind: job.kind, status }, 'job finished');
    return done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = (await this.runOnce()) !== null;
      } catch (err) {
        // The database may be restarting: the job stays leased and is resumed after its lease.
        this.deps.logger.error({ err }, 'running a job failed; it will be resumed');
      }
      if (this.running && !worked) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
