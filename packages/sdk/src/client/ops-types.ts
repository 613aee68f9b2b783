/** Types of the operations API: stats, recovery jobs and the queue. */
import type { RetryReport } from './health-types.ts';
import type { AttemptFilter } from './types.ts';

export type StatsBucketWidth = '1m' | '5m' | '1h' | '1d';

export interface StatsQuery {
  /** ISO time or epoch milliseconds; default: 24 h before `until`. */
  since?: string | number;
  /** ISO time or epoch milliseconds; default: now. */
  until?: string | number;
  /** Default: chosen from the range. */
  bucket?: StatsBucketWidth;
}

export interface StatsBucket {
  start: string;
  attempts: number;
  succeeded: number;
  failed: number;
  dropped: number;
  statusClasses: { '2xx': number; '3xx': number; '4xx': number; '5xx': number; none: number };
  /** Milliseconds, estimated from a log-scale histogram; null without attempts. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null };
}

export interface Stats {
  since: string;
  until: string;
  bucket: string;
  buckets: StatsBucket[];
  totals: StatsBucket;
}

export type JobKind = 'recover' | 'replay' | 'retry';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface Job {
  id: string;
  kind: JobKind;
  status: JobStatus;
  params: Record<string, unknown>;
  progress: { processed: number; affected: number };
  error: string | null;
  /** What its retries came to so far (null until its first chunk ran, or from a Herald before it). */
  report?: RetryReport | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobAccepted {
  job: Job;
}

/** The window of a recover or replay: ISO time or epoch milliseconds. */
export interface RecoveryWindow {
  since: string | number;
  /** Default: now. */
  until?: string | number;
}

/** The delivery log's filters; `until` defaults to when the job is created. */
export type BulkRetryFilter = Omit<AttemptFilter, 'since' | 'until'> & {
  since?: string | number;
  until?: string | number;
};

export interface QueueStats {
  pending: number;
  inFlight: number;
  oldestPendingAt: string | null;
  oldestPendingAgeSeconds: number;
}
