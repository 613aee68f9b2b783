/** Schemas of the operations routes: stats, jobs, recovery. */
import { Type } from '@sinclair/typebox';
import { AttemptFilterQuery } from './attempts.ts';
import { IsoTime, Nullable, TIME_QUERY_DESCRIPTION } from './common.ts';
import { RetryReportSchema } from './health.ts';
import { MAX_TIME_MS, MIN_TIME_MS } from './limits.ts';

export const StatsQuery = Type.Object({
  since: Type.Optional(Type.String({ description: `${TIME_QUERY_DESCRIPTION}; default: 24 h before until` })),
  until: Type.Optional(Type.String({ description: `${TIME_QUERY_DESCRIPTION}; default: now` })),
  bucket: Type.Optional(
    Type.Union([Type.Literal('1m'), Type.Literal('5m'), Type.Literal('1h'), Type.Literal('1d')], {
      description: 'bucket width; default chosen from the range',
    }),
  ),
});

const Latency = Type.Object(
  {
    p50: Nullable(Type.Number()),
    p95: Nullable(Type.Number()),
    p99: Nullable(Type.Number()),
    mean: Nullable(Type.Number()),
  },
  { description: 'milliseconds; percentiles estimated from a log-scale histogram; null without attempts' },
);

export const StatsBucketSchema = Type.Object({
  start: IsoTime,
  attempts: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  dropped: Type.Integer(),
  statusClasses: Type.Object({
    '2xx': Type.Integer(),
    '3xx': Type.Integer(),
    '4xx': Type.Integer(),
    '5xx': Type.Integer(),
    none: Type.Integer({ description: 'no response: timeouts, refused connections, …' }),
  }),
  latencyMs: Latency,
});

export const StatsSchema = Type.Object({
  since: IsoTime,
  until: IsoTime,
  bucket: Type.String(),
  buckets: Type.Array(StatsBucketSchema),
  totals: StatsBucketSchema,
});

export const JobSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('recover'), Type.Literal('replay'), Type.Literal('retry')]),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('running'),
    Type.Literal('succeeded'),
    Type.Literal('failed'),
  ]),
  params: Type.Object({}, { additionalProperties: true }),
  progress: Type.Object({
    processed: Type.Integer({ description: 'deliveries, events or attempts examined so far' }),
    affected: Type.Integer({ description: 'deliveries made pending again or created' }),
  }),
  error: Nullable(Type.String()),
  report: Nullable(RetryReportSchema),
  createdAt: IsoTime,
  startedAt: Nullable(IsoTime),
  finishedAt: Nullable(IsoTime),
});

export const JobAccepted = Type.Object({ job: JobSchema });

const BodyTime = (description: string) =>
  Type.Union([Type.String(), Type.Integer({ minimum: MIN_TIME_MS, maximum: MAX_TIME_MS })], { description });

const DryRun = Type.Optional(
  Type.Boolean({
    description: 'true: answer 200 with what the job would do (counts and reasons), and start nothing',
  }),
);

export const WindowBody = Type.Object(
  {
    since: BodyTime(TIME_QUERY_DESCRIPTION),
    until: Type.Optional(BodyTime(`${TIME_QUERY_DESCRIPTION}; default: now`)),
    dryRun: DryRun,
  },
  { additionalProperties: false },
);

export const BulkRetryBody = Type.Object(
  {
    ...AttemptFilterQuery.properties,
    since: Type.Optional(BodyTime(TIME_QUERY_DESCRIPTION)),
    until: Type.Optional(BodyTime(`${TIME_QUERY_DESCRIPTION}; default: when the job is created`)),
    dryRun: DryRun,
  },
  { additionalProperties: false },
);

export const JobParamsSchema = Type.Object({ tid: Type.String(), id: Type.String() });

export const QueueSchema = Type.Object({
  pending: Type.Integer({ description: 'deliveries waiting: due or scheduled, parked included' }),
  inFlight: Type.Integer({ description: 'deliveries being attempted right now' }),
  oldestPendingAt: Nullable(IsoTime),
  oldestPendingAgeSeconds: Type.Number({
    description: 'how long the oldest due delivery has waited; 0 when none is overdue',
  }),
});
