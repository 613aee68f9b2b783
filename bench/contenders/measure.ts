/** What one contender's run measured, and how the figures are derived from the raw times. */

import type { LockWaits } from '../lib/lock-waits.ts';
import type { Percentiles } from '../lib/percentiles.ts';
import type { ReceiverStats } from '../lib/receiver-handle.ts';
import type { AcceptedMessage } from './producer.ts';

export type ContenderName = 'ceiling' | 'baseline' | 'herald' | 'herald-pg';

export interface RunResult {
  contender: ContenderName;
  /** Scenario variant (bad-neighbour runs `clean` and `with-bad`). */
  variant: string;
  /** False when deliveries stopped arriving before all were received (figures are then partial). */
  complete: boolean;
  events: number;
  /** Deliveries owed to the healthy (`/ok/`) endpoints. */
  expectedOk: number;
  deliveredOk: number;
  /** Distinct deliveries per second to healthy endpoints, first send → last receipt. */
  endToEndPerSec: number;
  /** Events accepted per second by the contender, first send → last accept. */
  ingestPerSec: number;
  /** Healthy deliveries per second from the moment the receiver side came up (backlog), else = endToEnd. */
  drainPerSec: number;
  /** Accept (or enqueue) → first receipt, healthy endpoints, ms. */
  latency: Percentiles | null;
  /** The process whose memory is reported: Herald, the BullMQ worker, the ceiling's client. */
  memoryOf: string;
  peakRssMb: number | null;
  rssAtDrainStartMb: number | null;
  rssAtEndMb: number | null;
  /** Requests the bad endpoints received (bad-neighbour). */
  failRequests: number;
  hangRequests: number;
  /** Producer batches that waited because the contender fell behind the offered rate (steady). */
  laggedBatches: number;
  durationMs: number;
  cpuProfile?: string;
  /** PostgreSQL runs: how often Herald's sessions waited on each other's locks (bench/lib/lock-waits.ts). */
  lockWaits?: LockWaits;
}

export interface RawRun {
  contender: ContenderName;
  variant: string;
  events: number;
  expectedOk: number;
  accepted: AcceptedMessage;
  drainStartAt: number;
  complete: boolean;
  stats: ReceiverStats;
  memoryOf: string;
  peakRssMb: number | null;
  rssSamples: { at: number; rssMb: number }[];
  cpuProfile?: string;
  lockWaits?: LockWaits;
}

const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n * 1000) / ms) : 0);

export function summarize(raw: RawRun): RunResult {
  const ok = raw.stats.counters.ok;
  const lastAt = ok.lastAt ?? raw.accepted.lastAcceptAt;
  const atDrain = raw.rssSamples.find((s) => s.at >= raw.drainStartAt) ?? null;
  const last = raw.rssSamples[raw.rssSamples.length - 1] ?? null;
  const result: RunResult = {
    contender: raw.contender,
    variant: raw.variant,
    complete: raw.complete,
    events: raw.events,
    expectedOk: raw.expectedOk,
    deliveredOk: ok.unique,
    endToEndPerSec: perSec(ok.unique, lastAt - raw.accepted.firstSendAt),
    ingestPerSec: perSec(raw.accepted.accepted, raw.accepted.lastAcceptAt - raw.accepted.firstSendAt),
    drainPerSec: perSec(ok.unique, lastAt - raw.drainStartAt),
    latency: raw.stats.latency,
    memoryOf: raw.memoryOf,
    peakRssMb: raw.peakRssMb === null ? null : Math.round(raw.peakRssMb),
    rssAtDrainStartMb: atDrain ? Math.round(atDrain.rssMb) : null,
    rssAtEndMb: last ? Math.round(last.rssMb) : null,
    failRequests: raw.stats.counters.fail.requests,
    hangRequests: raw.stats.counters.hang.requests,
    laggedBatches: raw.accepted.lagged,
    durationMs: lastAt - raw.accepted.firstSendAt,
  };
  if (raw.cpuProfile) result.cpuProfile = raw.cpuProfile;
  if (raw.lockWaits) result.lockWaits = raw.lockWaits;
  return result;
}
