/** Types of endpoint health, its actions, and what a retry came to (queued, and why the rest were not). */
import type { EndpointStatus } from './types.ts';

/** Why a delivery a retry looked at does not go out now. */
export type NotQueuedReason =
  | 'circuit_open'
  | 'endpoint_paused'
  | 'endpoint_disabled'
  | 'endpoint_pending_verification'
  | 'endpoint_deleted'
  | 'already_pending'
  | 'in_flight'
  | 'finished';

/**
 * What unblocks them: `reset_circuit` (resetCircuit), `resume_endpoint` and
 * `enable_endpoint` (updateEndpoint with status active), `verify_endpoint`
 * (verifyEndpoint), `retry_now` (retryEndpointNow).
 */
export type UnblockAction =
  | 'reset_circuit'
  | 'resume_endpoint'
  | 'enable_endpoint'
  | 'verify_endpoint'
  | 'retry_now';

export interface NotQueuedGroup {
  reason: NotQueuedReason;
  count: number;
  endpointId: string;
  endpointName: string;
  action: UnblockAction | null;
  /** circuit_open: when the next probe may go; null when one may go now. */
  nextProbeAt: string | null;
  /** already_pending: the earliest scheduled attempt. */
  nextAttemptAt: string | null;
  message: string;
}

export interface RetryReport {
  /** Deliveries the retry queued that go out now. */
  queued: number;
  /** The others, grouped by reason and endpoint, largest first. */
  notQueued: NotQueuedGroup[];
}

/** `POST …/events/:id/retry`. */
export interface Retried extends RetryReport {
  deliveries: string[];
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitHealth {
  state: CircuitState;
  /** When it opened (open or half-open). */
  since: string | null;
  /** When an open circuit lets its next probe through. */
  nextProbeAt: string | null;
  /** Consecutive failed attempts. */
  failures: number;
  failingSince: string | null;
}

export interface EndpointHealth {
  endpointId: string;
  name: string;
  url: string;
  status: EndpointStatus;
  circuit: CircuitHealth;
  lastAttemptAt: string | null;
  lastError: { kind: string; message: string; statusCode: number | null; at: string } | null;
  /** The next attempt: the earliest due delivery, not before an open circuit's probe. */
  nextAttemptAt: string | null;
  pending: number;
  inFlight: number;
  /** Failed deliveries (retries used up), waiting for a manual retry. */
  exhausted: number;
  oldestPendingAt: string | null;
  last24h: { attempts: number; succeeded: number; failed: number };
  /** 0–1; null without attempts in the last 24 hours. */
  successRate24h: number | null;
  /** What stops delivery now, and what unblocks it. */
  blocked: { reason: NotQueuedReason; action: UnblockAction | null; message: string } | null;
}

export interface CircuitReset extends RetryReport {
  previous: CircuitHealth;
  /** Pending deliveries due now, after the reset. */
  due: number;
  health: EndpointHealth;
}

export interface RetryNowResult extends RetryReport {
  /** Pending deliveries that waited for a later time, now due. */
  moved: number;
  health: EndpointHealth;
}

/** A recovery job's dry run (`dryRun: true`): what it would do; nothing was started. */
export interface JobPreview extends RetryReport {
  dryRun: true;
  kind: 'recover' | 'replay' | 'retry';
  processed: number;
  affected: number;
  /** False: the preview stopped early; the job may do more. */
  complete: boolean;
}
