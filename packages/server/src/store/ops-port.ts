/**
 * The operations port: what stats, metrics, retention and recovery jobs need
 * from the database, beside the Store port (which the delivery path uses).
 * An adapter exposes it as `store.ops`; `opsOf(store)` reads it.
 *
 * Terms:
 * - rollup: per (tenant, endpoint, minute) counts of attempts by outcome and
 *   status class, and a fixed log-scale latency histogram, written in the
 *   same transaction as the attempts it counts. Test sends are not counted.
 * - job: a recovery task (recover, replay, bulk retry) run in the background
 *   in bounded chunks; its cursor is saved with each chunk, so a job whose
 *   runner died resumes where it stopped.
 */
import { HeraldError } from '../domain/errors.ts';
import type { RetryReport } from '../domain/retry-report.ts';
import type { EndpointStatus, Page, PageRequest } from '../domain/types.ts';
import type { AttemptFilter, Store } from './port.ts';

/**
 * Upper bounds (ms, inclusive) of the latency histogram's buckets; one more
 * bucket holds everything slower. Roughly 1-1.5-2-3-5-7 per decade, so a
 * percentile estimated inside one bucket is off by at most about 40 %.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000, 3000, 5000, 7000,
  10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
];
/** Buckets in the histogram: one per bound plus the overflow bucket. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The histogram bucket a duration falls in. */
export function latencyBucket(durationMs: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (durationMs <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'none';

/** 1xx and no response at all (timeouts, refused connections) count as `none`. */
export function statusClass(status: number | null): StatusClass {
  if (status === null || status < 200 || status > 599) return 'none';
  return `${Math.floor(status / 100)}xx` as StatusClass;
}

export interface StatsQuery {
  tenantId: string;
  /** Absent: every endpoint of the tenant. */
  endpointId?: string;
  /** Inclusive, aligned by the caller to `bucketMs`. */
  since: number;
  /** Exclusive. */
  until: number;
  bucketMs: number;
}

/** One time bucket of the rollup, summed over its minutes (and endpoints). */
export interface StatsRow {
  /** Start of the bucket (epoch ms, a multiple of bucketMs). */
  start: number;
  attempts: number;
  succeeded: number;
  failed: number;
  dropped: number;
  statusClasses: Record<StatusClass, number>;
  /** LATENCY_BUCKETS counts. */
  latency: number[];
  latencySumMs: number;
  /** The slowest attempt in the row; null when unknown (rows from before it was recorded). */
  latencyMaxMs: number | null;
}

export interface QueueStats {
  /** Deliveries waiting: pending, due or not, parked included. */
  pending: number;
  inFlight: number;
  /** The earliest due time of any pending delivery (null: none is due or scheduled). */
  oldestDueAt: number | null;
  endpoints: Record<EndpointStatus, number>;
}

export type JobKind = 'recover' | 'replay' | 'retry';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface RecoverParams {
  endpointId: string;
  since: number;
  until: number;
}
export type ReplayParams = RecoverParams;
export interface RetryParams {
  filter: AttemptFilter;
}
export type JobParams = RecoverParams | ReplayParams | RetryParams;

export interface JobProgress {
  /** Items examined so far (deliveries, events or attempts, by kind). */
  processed: number;
  /** Deliveries made pending again or created. */
  affected: number;
}

export interface Job {
  id: string;
  tenantId: string;
  kind: JobKind;
  params: JobParams;
  status: JobStatus;
  progress: JobProgress;
  /** Where the next chunk starts; null before the first chunk. Opaque to callers. */
  cursor: string | null;
  error: string | null;
  /** What its retries came to so far: queued, and why the rest were not (null before the first chunk). */
  report: RetryReport | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** A delivery a replay creates: due now when the endpoint is active, else parked. */
export interface ReplayDelivery {
  id: string;
  eventId: string;
  nextAttemptAt: number | null;
}

/**
 * One chunk of a job, applied whole or not at all: only while `owner` holds
 * the job's lease and the job's cursor is still `cursor` (so a chunk can
 * never be applied twice, even by two runners).
 */
export interface JobChunk {
  jobId: string;
  owner: string;
  cursor: string | null;
  nextCursor: string | null;
  /** Items examined in this chunk. */
  processed: number;
  /** Failed deliveries (of the job's tenant) to make pending again, due now, trigger manual. */
  retry?: string[];
  /** New deliveries to the job's endpoint (replay). */
  create?: { endpointId: string; deliveries: ReplayDelivery[] };
  /** This chunk's part of the job's report, merged into what earlier chunks reported. */
  report?: RetryReport;
  /** Lease after this chunk. */
  leaseExpiresAt: number;
  now: number;
}

export interface OpsStore {
  // Stats and metrics ------------------------------------------------------
  stats(query: StatsQuery): Promise<StatsRow[]>;
  queueStats(): Promise<QueueStats>;

  // Retention ---------------------------------------------------------------
  /** Deletes up to `limit` attempts created before `cutoff`. Returns how many. */
  purgeAttempts(cutoff: number, limit: number): Promise<number>;
  /**
   * Deletes up to `limit` events created before `cutoff` whose deliveries are
   * all finished, with those deliveries. Never touches pending or in-flight work.
   */
  purgeEvents(cutoff: number, limit: number): Promise<number>;
  /** Deletes rollup minutes, and finished jobs, older than `cutoff`. Returns rows deleted. */
  purgeOpsRows(cutoff: number, limit: number): Promise<number>;

  // Jobs ----------------------------------------------------------------------
  createJob(job: Job): Promise<Job>;
  getJob(tenantId: string, id: string): Promise<Job | null>;
  listJobs(tenantId: string, page: PageRequest): Promise<Page<Job>>;
  /** Claims the oldest queued job, or a running one whose lease ended (its runner died). */
  claimJob(owner: string, leaseExpiresAt: number, now: number): Promise<Job | null>;
  /** Returns false (and changes nothing) if the lease or the cursor moved on. */
  applyJobChunk(chunk: JobChunk): Promise<boolean>;
  /** Ends a job the owner still holds. */
  finishJob(id: string, owner: string, result: JobResult, now: number): Promise<boolean>;
  /** Failed deliveries of an endpoint created in [since, until], ids after `after`, ascending. */
  listFailedDeliveries(query: FailedDeliveriesQuery): Promise<string[]>;
}

/** How a job ended, as its runner reports it. */
export interface JobResult {
  status: 'succeeded' | 'failed';
  error: string | null;
}

/** A page of an endpoint's failed deliveries, as a bulk retry walks them. */
export interface FailedDeliveriesQuery {
  tenantId: string;
  endpointId: string;
  since: number;
  until: number;
  after: string | null;
  limit: number;
}

/** The operations port of a store; a clear error when the adapter has none. */
export function opsOf(store: Store): OpsStore {
  const ops = (store as Store & { ops?: OpsStore }).ops;
  if (!ops) {
    throw new HeraldError(
      'unavailable',
      'this database adapter does not support stats, retention or recovery jobs yet; use SQLite or upgrade Herald',
    );
  }
  return ops;
}
