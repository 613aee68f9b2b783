import { Type } from '@sinclair/typebox';
import { IsoTime, Nullable, pageQuery, TIME_QUERY_DESCRIPTION } from './common.ts';
import { retryReportFields } from './health.ts';
import { MAX_BATCH_EVENTS, MAX_EVENT_TYPE_VERSION } from './limits.ts';

export const IncomingEventSchema = Type.Object(
  {
    type: Type.String({ description: 'event type name, e.g. device.enrolled' }),
    data: Type.Unknown({ description: 'any JSON value' }),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_EVENT_TYPE_VERSION,
        description: "defaults to the type's latest version",
      }),
    ),
    resource: Type.Optional(
      Nullable(Type.String({ description: 'the resource it concerns (a device, a vehicle)' })),
    ),
    idempotencyKey: Type.Optional(Nullable(Type.String())),
  },
  { additionalProperties: false },
);

export const BatchBody = Type.Object(
  { events: Type.Array(IncomingEventSchema, { minItems: 1, maxItems: MAX_BATCH_EVENTS }) },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});

export const AcceptedSchema = Type.Object({
  id: Type.String(),
  deliveries: Type.Array(Type.String(), { description: 'ids of the deliveries created (one per endpoint)' }),
});

export const AcceptedBatchSchema = Type.Object({ data: Type.Array(AcceptedSchema) });

export const DeliverySchema = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventId: Type.String(),
  status: Type.String({ description: 'pending, in_flight, succeeded, failed, dropped or cancelled' }),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(IsoTime),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  completedAt: Nullable(IsoTime),
});

export const EventSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  type: Type.String(),
  version: Type.Integer(),
  resource: Nullable(Type.String()),
  data: Type.Unknown(),
  idempotencyKey: Nullable(Type.String()),
  createdAt: IsoTime,
  deliveries: Type.Array(DeliverySchema),
});

export const EventParams = Type.Object({ tid: Type.String(), id: Type.String() });

export const ListEventsQuery = Type.Object({
  type: Type.Optional(Type.String()),
  resource: Type.Optional(Type.String()),
  since: Type.Optional(Type.String({ description: TIME_QUERY_DESCRIPTION })),
  until: Type.Optional(Type.String({ description: TIME_QUERY_DESCRIPTION })),
  ...pageQuery,
});

export const RetryBody = Type.Object(
  { endpointId: Type.Optional(Type.String({ description: 'retry only the delivery to this endpoint' })) },
  { additionalProperties: false },
);

export const RetriedSchema = Type.Object({
  deliveries: Type.Array(Type.String(), { description: 'ids of the deliveries made pending again' }),
  ...retryReportFields,
});
