/**
 * The delivery log: every attempt with its request and response, filters,
 * and a summary. Test sends and mock events are listed only when
 * `trigger=test` is asked for, and never counted in the summary. The list
 * and the summary read one filter (log-filter-query.ts checks it), so the
 * summary's counts are always those of the rows listed.
 */
import type { Static } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import type { AttemptFilter } from '../../store/port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { addListFilters } from '../log-filter-query.ts';
import { parseTime } from '../query.ts';
import { renderAttempt } from '../render.ts';
import {
  AttemptFilterQuery,
  AttemptParams,
  AttemptSchema,
  AttemptSummarySchema,
  ListAttemptsQuery,
} from '../schemas/attempts.ts';
import { errorResponses, pageOf, TenantParams } from '../schemas/common.ts';

const tags = ['attempts'];

function toFilter(q: Static<typeof AttemptFilterQuery>): AttemptFilter {
  const filter: AttemptFilter = {};
  if (q.endpointId !== undefined) filter.endpointId = q.endpointId;
  if (q.eventType !== undefined) filter.eventType = q.eventType;
  if (q.eventId !== undefined) filter.eventId = q.eventId;
  if (q.status !== undefined) filter.status = q.status;
  if (q.requestId !== undefined) filter.requestId = q.requestId;
  const since = parseTime(q.since, 'since');
  if (since !== undefined) filter.since = since;
  const until = parseTime(q.until, 'until');
  if (until !== undefined) filter.until = until;
  return addListFilters(filter, q);
}

export function registerAttemptRoutes(app: HeraldApp, { store }: RouteDeps): void {
  app.get(
    '/v1/tenants/:tid/attempts',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'The delivery log, newest first by time (test sends only with trigger=test)',
        params: TenantParams,
        querystring: ListAttemptsQuery,
        response: { 200: pageOf(AttemptSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const { limit, cursor, ...rest } = request.query;
      const filter = toFilter(rest);
      await requireTenant(store, tid);
      const page = await store.listAttempts(tid, filter, { limit: limit ?? 50, cursor: cursor ?? null });
      return { data: page.data.map(renderAttempt), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tenants/:tid/attempts/summary',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Counts of attempts (test sends never) and of deliveries still pending',
        params: TenantParams,
        querystring: AttemptFilterQuery,
        response: { 200: AttemptSummarySchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      const filter = toFilter(request.query);
      await requireTenant(store, tid);
      return store.summarizeAttempts(tid, filter);
    },
  );

  app.get(
    '/v1/tenants/:tid/attempts/:id',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'One attempt: request, response (body truncated), duration, error',
        params: AttemptParams,
        response: { 200: AttemptSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      const attempt = await store.getAttempt(tid, id);
      if (!attempt) {
        await requireTenant(store, tid);
        throw new HeraldError('not_found', `attempt '${id}' was not found in tenant '${tid}'`);
      }
      return renderAttempt(attempt);
    },
  );
}
