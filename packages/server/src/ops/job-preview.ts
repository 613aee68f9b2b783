/**
 * A recovery job's dry run: the job's own steps, planned chunk by chunk
 * without applying any, so the confirmation a person sees counts exactly
 * what the job would do. Bounded: a preview stops after `maxChunks` chunks
 * and says so (`complete: false`), since a real job may walk millions of rows.
 */
import type { Clock } from '../domain/clock.ts';
import { mergeReports, type RetryReport } from '../domain/retry-report.ts';
import type { HealthStore } from '../store/health-port.ts';
import type { Job, OpsStore } from '../store/ops-port.ts';
import type { Store } from '../store/port.ts';
import { DONE_CURSOR, planStep } from './job-steps.ts';

export const PREVIEW_CHUNK_SIZE = 500;
export const PREVIEW_MAX_CHUNKS = 20;

export interface JobPreview {
  /** Items examined (deliveries, events or attempts, by kind), as the job's `progress.processed`. */
  processed: number;
  /** Deliveries the job would make pending again or create, as its `progress.affected`. */
  affected: number;
  report: RetryReport;
  /** False when the preview stopped before the end of the job's set. */
  complete: boolean;
}

export async function previewJob(
  job: Job,
  deps: { store: Store; ops: OpsStore; health: HealthStore; clock: Clock },
  options: { chunkSize?: number; maxChunks?: number } = {},
): Promise<JobPreview> {
  const chunkSize = options.chunkSize ?? PREVIEW_CHUNK_SIZE;
  const maxChunks = options.maxChunks ?? PREVIEW_MAX_CHUNKS;
  const seen = new Set<string>();
  let cursor: string | null = null;
  let processed = 0;
  let affected = 0;
  let report: RetryReport = { queued: 0, notQueued: [] };
  for (let chunk = 0; chunk < maxChunks; chunk++) {
    const plan = await planStep({ ...job, cursor }, { ...deps, now: deps.clock.now(), chunkSize, seen });
    processed += plan.processed;
    affected += plan.expected;
    report = mergeReports(report, plan.report);
    cursor = plan.nextCursor;
    if (cursor === DONE_CURSOR) break;
  }
  return { processed, affected, report, complete: cursor === DONE_CURSOR };
}
