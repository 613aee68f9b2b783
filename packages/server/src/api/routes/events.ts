/**
 * Sending events (one, or a batch all or nothing), reading them back with
 * their deliveries, and retrying by hand.
 */
import { HeraldError } from '../../domain/errors.ts';
import { reportOf } from '../../domain/retry-report.ts';
import { healthOf } from '../../store/health-port.ts';
import type { InsertedEvent, Store } from '../../store/port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { renderReport } from '../health-render.ts';
import { parseTime } from '../query.ts';
import { renderEvent } from '../render.ts';
import { errorResponses, pageOf, TenantParams } from '../schemas/common.ts';
import {
  AcceptedBatchSchema,
  AcceptedSchema,
  BatchBody,
  EventParams,
  EventSchema,
  IdempotencyHeaders,
  IncomingEventSchema,
  ListEventsQuery,
  RetriedSchema,
  RetryBody,
} from '../schemas/events.ts';
import { DEFAULT_BATCH_EVENT_BYTES, MAX_BATCH_EVENTS } from '../schemas/limits.ts';
import { requireEndpoint } from './endpoints.ts';

const tags = ['events'];

const accepted = (e: InsertedEvent) => ({ id: e.event.id, deliveries: e.deliveryIds });

/** What a manual retry came to: the deliveries it re-queued that go now, and why the others do not. */
async function retryOutcome(
  store: Store,
  tid: string,
  eventId: string,
  endpointId: string | undefined,
  retried: readonly string[],
  now: number,
) {
  const ids = (await store.listDeliveriesForEvent(tid, eventId))
    .filter((d) => endpointId === undefined || d.endpointId === endpointId)
    .map((d) => d.id);
  const requeued = new Set(retried);
  const facts = await healthOf(store).deliveryFacts(tid, ids);
  return renderReport(
    reportOf(facts, (f) => requeued.has(f.deliveryId)),
    now,
  );
}

/** The batch route's body limit: a full batch of typical events, never less than any other route's. */
export function batchBodyLimit(options: RouteDeps['options']): number {
  return Math.max(
    options.bodyLimitBytes,
    options.batchBodyLimitBytes ?? MAX_BATCH_EVENTS * DEFAULT_BATCH_EVENT_BYTES,
  );
}

export function registerEventRoutes(app: HeraldApp, { store, ingest, clock, options }: RouteDeps): void {
  app.post(
    '/v1/tenants/:tid/events',
    {
      config: { access: 'tenant' },
      schema: {
        tags,
        summary: 'Send an event (the same idempotency key answers the first result again)',
        params: TenantParams,
        headers: IdempotencyHeaders,
        body: IncomingEventSchema,
        response: { 202: AcceptedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const idempotencyKey = request.body.idempotencyKey ?? request.headers['idempotency-key'] ?? null;
      const [inserted] = await ingest.accept(tid, [{ ...request.body, idempotencyKey }]);
      if (!inserted) throw new HeraldError('internal', 'the store returned no event');
      if (inserted.duplicate) void reply.header('idempotent-replayed', 'true');
      return reply.code(202).send(accepted(inserted));
    },
  );

  app.post(
    '/v1/tenants/:tid/events/batch',
    {
      config: { access: 'tenant' },
      bodyLimit: batchBodyLimit(options),
      schema: {
        tags,
        summary: 'Send up to 1,000 events, all or nothing',
        params: TenantParams,
        body: BatchBody,
        response: { 202: AcceptedBatchSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const inserted = await ingest.accept(tid, request.body.events, { batch: true });
      return reply.code(202).send({ data: inserted.map(accepted) });
    },
  );

  app.get(
    '/v1/tenants/:tid/events',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Events, newest first, with their deliveries',
        params: TenantParams,
        querystring: ListEventsQuery,
        response: { 200: pageOf(EventSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const q = request.query;
      await requireTenant(store, tid);
      const since = parseTime(q.since, 'since');
      const until = parseTime(q.until, 'until');
      const filter = {
        ...(q.type !== undefined ? { type: q.type } : {}),
        ...(q.resource !== undefined ? { resource: q.resource } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      };
      const page = await store.listEvents(tid, filter, { limit: q.limit ?? 50, cursor: q.cursor ?? null });
      const data = [];
      for (const event of page.data)
        data.push(renderEvent(event, await store.listDeliveriesForEvent(tid, event.id)));
      return { data, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tenants/:tid/events/:id',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'An event with its deliveries',
        params: EventParams,
        response: { 200: EventSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      const event = await store.getEvent(tid, id);
      if (!event) {
        await requireTenant(store, tid);
        throw new HeraldError('not_found', `event '${id}' was not found in tenant '${tid}'`);
      }
      return renderEvent(event, await store.listDeliveriesForEvent(tid, id));
    },
  );

  app.post(
    '/v1/tenants/:tid/events/:id/retry',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "Retry the event's deliveries now (or only the one to endpointId)",
        params: EventParams,
        body: RetryBody,
        response: { 202: RetriedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, id } = request.params;
      const { endpointId } = request.body;
      const event = await store.getEvent(tid, id);
      if (!event) {
        await requireTenant(store, tid);
        throw new HeraldError('not_found', `event '${id}' was not found in tenant '${tid}'`);
      }
      if (endpointId !== undefined) await requireEndpoint(store, tid, endpointId);
      const ids = await store.retryDeliveries({
        tenantId: tid,
        eventId: id,
        now: clock(),
        ...(endpointId ? { endpointId } : {}),
      });
      if (ids.length === 0 && endpointId !== undefined) {
        const deliveries = await store.listDeliveriesForEvent(tid, id);
        const delivery = deliveries.find((d) => d.endpointId === endpointId);
        if (!delivery)
          throw new HeraldError('not_found', `event '${id}' was not sent to endpoint '${endpointId}'`);
        throw new HeraldError(
          'conflict',
          `the delivery to endpoint '${endpointId}' is ${delivery.status}; try again when it is done`,
        );
      }
      if (ids.length > 0) store.notifyWork();
      return reply
        .code(202)
        .send({ deliveries: ids, ...(await retryOutcome(store, tid, id, endpointId, ids, clock())) });
    },
  );
}
