/**
 * Attempts that sent a batch carry, in the log, the batch id and the events
 * it held. Both adapters read those from their own columns and add them here;
 * other attempts are returned as they are (the API shows a lone delivery's
 * `eventIds` as its one event, a test send's as none).
 */
import type { Attempt } from '../domain/types.ts';
import type { BatchAttemptInfo } from './port.ts';

export type AttemptWithBatch = Attempt & Partial<BatchAttemptInfo>;

export function withBatchInfo(attempts: Attempt[], info: Map<string, BatchAttemptInfo>): AttemptWithBatch[] {
  if (info.size === 0) return attempts;
  return attempts.map((a) => {
    const batch = info.get(a.id);
    return batch ? { ...a, ...batch } : a;
  });
}
