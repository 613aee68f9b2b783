import { Type } from '@sinclair/typebox';
import { ERROR_KINDS_BY_FILTER } from '../../domain/log-filters.ts';
import { IsoTime, Nullable, pageQuery, TIME_QUERY_DESCRIPTION } from './common.ts';

const KINDS_DESCRIPTION = Object.entries(ERROR_KINDS_BY_FILTER)
  .map(([filter, kinds]) => `${filter} (${kinds.join(', ')})`)
  .join('; ');

/** One value, several comma-separated, or the parameter repeated (an array in a JSON body). */
const ListFilter = (description: string) =>
  Type.Union(
    [
      Type.String({ maxLength: 200 }),
      Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 10 }),
    ],
    { description },
  );

export const AttemptSchema = Type.Object({
  id: Type.String(),
  requestId: Type.String({ description: 'sent to the endpoint as x-request-id' }),
  eventId: Nullable(Type.String()),
  endpointId: Nullable(Type.String()),
  deliveryId: Nullable(Type.String()),
  batchId: Nullable(
    Type.String({
      description: "the batch this attempt sent (its webhook-id), or null for a lone event's request",
    }),
  ),
  eventIds: Type.Array(Type.String(), {
    description:
      'every event the request carried, in body order (one for a lone event, none for a test send)',
  }),
  eventType: Type.String(),
  attemptNumber: Type.Integer(),
  trigger: Type.Union([Type.Literal('scheduled'), Type.Literal('manual'), Type.Literal('test')]),
  url: Type.String({ description: 'with any key redacted' }),
  method: Type.String(),
  requestHeaders: Type.Record(Type.String(), Type.String()),
  requestBody: Type.String(),
  responseStatus: Nullable(Type.Integer()),
  responseHeaders: Nullable(Type.Record(Type.String(), Type.String())),
  responseBody: Nullable(Type.String({ description: 'truncated' })),
  durationMs: Type.Number(),
  error: Nullable(
    Type.Object({
      kind: Type.String({
        description: `what failed; the errorKind filter groups kinds: ${KINDS_DESCRIPTION}`,
      }),
      message: Type.String(),
    }),
  ),
  succeeded: Type.Boolean(),
  createdAt: IsoTime,
});

/** Ids and typed-in text are short; longer is refused with the limit named. */
const Text = (description?: string) =>
  Type.String({ maxLength: 200, ...(description === undefined ? {} : { description }) });

const filterQuery = {
  endpointId: Type.Optional(Text()),
  eventType: Type.Optional(
    Text(
      'an event type (order.created) or a pattern as endpoints subscribe: order.* (one or more trailing segments), *.created (one segment), * (every type); no @version, the log does not record versions',
    ),
  ),
  eventId: Type.Optional(Text()),
  status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')])),
  statusCode: Type.Optional(Text('an exact code (404) or a class (5xx)')),
  since: Type.Optional(
    Type.String({
      description: `${TIME_QUERY_DESCRIPTION}; attempts made at or after (pending: deliveries created at or after)`,
    }),
  ),
  until: Type.Optional(
    Type.String({
      description: `${TIME_QUERY_DESCRIPTION}; attempts made at or before (pending: deliveries created at or before)`,
    }),
  ),
  requestId: Type.Optional(
    Text(
      'a request id (the x-request-id header the endpoint got) or its beginning: req_01J matches every id starting so',
    ),
  ),
  trigger: Type.Optional(
    ListFilter(
      'scheduled, manual or test, or several comma-separated (scheduled,test). Default: scheduled,manual; test sends and mock events are shown only when test is asked for, and never counted in summaries',
    ),
  ),
  errorKind: Type.Optional(
    ListFilter(`attempts that failed with one of these kinds, comma-separated: ${KINDS_DESCRIPTION}`),
  ),
};

export const AttemptFilterQuery = Type.Object(filterQuery);
export const ListAttemptsQuery = Type.Object({ ...filterQuery, ...pageQuery });

export const AttemptSummarySchema = Type.Object({
  total: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  pending: Type.Integer({
    description:
      'deliveries still pending or in flight, by the filters a delivery has: endpointId, eventId, eventType (patterns too), since/until on when the delivery was created, trigger of the next attempt',
  }),
});

export const AttemptParams = Type.Object({ tid: Type.String(), id: Type.String() });
