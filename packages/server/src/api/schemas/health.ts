/** Schemas of endpoint health, its actions, and what a retry came to (queued, and why the rest were not). */
import { Type } from '@sinclair/typebox';
import { NOT_QUEUED_REASONS, UNBLOCK_ACTIONS } from '../../domain/retry-report.ts';
import { IsoTime, Nullable } from './common.ts';

const lit = <T extends string>(values: readonly T[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  );

const Action = Nullable(
  lit(
    UNBLOCK_ACTIONS,
    'what unblocks them: reset_circuit (POST …/circuit/reset), resume_endpoint / enable_endpoint (PATCH status active), verify_endpoint (POST …/verify), retry_now (POST …/retry-now)',
  ),
);

export const NotQueuedGroupSchema = Type.Object({
  reason: lit(
    NOT_QUEUED_REASONS,
    'circuit_open, endpoint_paused, endpoint_disabled, endpoint_pending_verification, endpoint_deleted, already_pending (a bulk retry re-queues failed deliveries only), in_flight, finished (not failed: succeeded, cancelled or dropped; a bulk retry leaves it alone)',
  ),
  count: Type.Integer({ description: 'deliveries' }),
  endpointId: Type.String(),
  endpointName: Type.String(),
  action: Action,
  nextProbeAt: Nullable(IsoTime),
  nextAttemptAt: Nullable(IsoTime),
  message: Type.String({ description: 'the reason and its action, in a sentence' }),
});

/** Added to every retry's answer. */
export const retryReportFields = {
  queued: Type.Integer({ description: 'deliveries this retry queued that go out now' }),
  notQueued: Type.Array(NotQueuedGroupSchema, {
    description: 'the other deliveries looked at, grouped by reason and endpoint, largest first',
  }),
};

export const RetryReportSchema = Type.Object(retryReportFields, {
  description: 'what the retries came to so far; null until the first chunk ran',
});

const CircuitHealth = Type.Object({
  state: lit(['closed', 'open', 'half_open'] as const),
  since: Nullable(IsoTime),
  nextProbeAt: Nullable(IsoTime),
  failures: Type.Integer({ description: 'consecutive failed attempts' }),
  failingSince: Nullable(IsoTime),
});

export const EndpointHealthSchema = Type.Object({
  endpointId: Type.String(),
  name: Type.String(),
  url: Type.String(),
  status: lit(['active', 'pending_verification', 'paused', 'disabled'] as const),
  circuit: CircuitHealth,
  lastAttemptAt: Nullable(IsoTime),
  lastError: Nullable(
    Type.Object({
      kind: Type.String(),
      message: Type.String(),
      statusCode: Nullable(Type.Integer()),
      at: IsoTime,
    }),
  ),
  nextAttemptAt: Nullable(IsoTime),
  pending: Type.Integer(),
  inFlight: Type.Integer(),
  exhausted: Type.Integer({ description: 'failed deliveries (retries used up), waiting for a manual retry' }),
  oldestPendingAt: Nullable(IsoTime),
  last24h: Type.Object({ attempts: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer() }),
  successRate24h: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  blocked: Nullable(
    Type.Object({
      reason: lit(NOT_QUEUED_REASONS),
      action: Action,
      message: Type.String(),
    }),
  ),
});

export const CircuitResetSchema = Type.Object({
  previous: CircuitHealth,
  due: Type.Integer({ description: 'pending deliveries due now, after the reset' }),
  ...retryReportFields,
  health: EndpointHealthSchema,
});

export const RetryNowSchema = Type.Object({
  moved: Type.Integer({ description: 'pending deliveries that waited for a later time, now due' }),
  ...retryReportFields,
  health: EndpointHealthSchema,
});

export const JobPreviewSchema = Type.Object({
  dryRun: Type.Literal(true),
  kind: lit(['recover', 'replay', 'retry'] as const),
  processed: Type.Integer({ description: 'items the job would examine' }),
  affected: Type.Integer({ description: 'deliveries it would make pending again or create' }),
  complete: Type.Boolean({ description: 'false: the preview stopped early; the job may do more' }),
  ...retryReportFields,
});
