/**
 * Recovery: recover (failed deliveries again), replay (every matching event
 * again, as new deliveries) and bulk retry (failed deliveries behind log
 * entries). Each answers 202 with a job that a worker runs in the background,
 * or, with `dryRun: true`, 200 with what that job would do (ops/job-preview.ts).
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { HeraldError } from '../../domain/errors.ts';
import { previewJob } from '../../ops/job-preview.ts';
import { newJob } from '../../ops/jobs.ts';
import { healthOf } from '../../store/health-port.ts';
import { type JobKind, type JobParams, opsOf } from '../../store/ops-port.ts';
import type { AttemptFilter } from '../../store/port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { renderReport } from '../health-render.ts';
import { addListFilters } from '../log-filter-query.ts';
import { checkTime, parseStatusCode, parseTime } from '../query.ts';
import { errorResponses, TenantParams } from '../schemas/common.ts';
import { EndpointParams } from '../schemas/endpoints.ts';
import { JobPreviewSchema } from '../schemas/health.ts';
import { BulkRetryBody, JobAccepted, WindowBody } from '../schemas/ops.ts';
import { requireEndpoint } from './endpoints.ts';
import { renderJob } from './jobs.ts';

const tags = ['jobs'];

function bodyTime(value: string | number | undefined, name: string): number | undefined {
  return typeof value === 'number' ? checkTime(value, name, 'body') : parseTime(value, name, 'body');
}

function window(body: Static<typeof WindowBody>, now: number): { since: number; until: number } {
  const since = bodyTime(body.since, 'since')!;
  const until = bodyTime(body.until, 'until') ?? now;
  if (until < since) throw laterThan();
  return { since, until };
}

function laterThan(): HeraldError {
  const message = 'must not be earlier than body.since';
  return new HeraldError('validation_failed', `body.until ${message}`, [{ path: 'body.until', message }]);
}

function toFilter(b: Static<typeof BulkRetryBody>, now: number): AttemptFilter {
  const filter: AttemptFilter = {};
  if (b.endpointId !== undefined) filter.endpointId = b.endpointId;
  if (b.eventType !== undefined) filter.eventType = b.eventType;
  if (b.eventId !== undefined) filter.eventId = b.eventId;
  if (b.status !== undefined) filter.status = b.status;
  if (b.requestId !== undefined) filter.requestId = b.requestId;
  const statusCode = parseStatusCode(b.statusCode);
  if (statusCode !== undefined) filter.statusCode = statusCode;
  const since = bodyTime(b.since, 'since');
  if (since !== undefined) filter.since = since;
  // Fixed at creation, so the job's set does not grow while it runs.
  filter.until = bodyTime(b.until, 'until') ?? now;
  if (since !== undefined && filter.until < since) throw laterThan();
  return addListFilters(filter, b, 'body');
}

export function registerRecoveryRoutes(app: HeraldApp, { store, clock }: RouteDeps): void {
  const enqueue = async (tenantId: string, kind: JobKind, params: JobParams) => {
    const job = await opsOf(store).createJob(newJob(tenantId, kind, params, clock()));
    return { job: renderJob(job) };
  };
  /** 200 with what the job would do, or 202 with the job started. */
  const answer = async (
    reply: FastifyReply,
    dryRun: boolean | undefined,
    tenantId: string,
    kind: JobKind,
    params: JobParams,
  ) => {
    if (!dryRun) return reply.code(202).send(await enqueue(tenantId, kind, params));
    const now = clock();
    const deps = { store, ops: opsOf(store), health: healthOf(store), clock: { now: clock } };
    const preview = await previewJob(newJob(tenantId, kind, params, now), deps);
    return reply.code(200).send({
      dryRun: true,
      kind,
      processed: preview.processed,
      affected: preview.affected,
      complete: preview.complete,
      ...renderReport(preview.report, now),
    });
  };

  const endpointJob = (kind: 'recover' | 'replay', summary: string) =>
    app.post(
      `/v1/tenants/:tid/endpoints/:eid/${kind}`,
      {
        config: { access: 'portal' },
        schema: {
          tags,
          summary,
          params: EndpointParams,
          body: WindowBody,
          response: { 202: JobAccepted, 200: JobPreviewSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { tid, eid } = request.params;
        if (!(await store.getEndpoint(tid, eid))) {
          await requireTenant(store, tid);
          throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
        }
        const params = { endpointId: eid, ...window(request.body, clock()) };
        return answer(reply, request.body.dryRun, tid, kind, params);
      },
    );

  endpointJob(
    'recover',
    "Sends the endpoint's failed deliveries (created in the window) again, as a background job",
  );
  endpointJob(
    'replay',
    "Sends every event of the window that the endpoint's current subscription matches again, as new deliveries",
  );

  app.post(
    '/v1/tenants/:tid/attempts/retry',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary:
          'Retries the failed deliveries behind the attempts matching the log filters, as a background job',
        params: TenantParams,
        body: BulkRetryBody,
        response: { 202: JobAccepted, 200: JobPreviewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const filter = toFilter(request.body, clock());
      // Named ids must exist, as recover and replay require their endpoint: a
      // job that can match nothing is a typo, not a request.
      if (filter.endpointId !== undefined) await requireEndpoint(store, tid, filter.endpointId);
      if (filter.eventId !== undefined && !(await store.getEvent(tid, filter.eventId))) {
        throw new HeraldError('not_found', `event '${filter.eventId}' was not found in tenant '${tid}'`);
      }
      return answer(reply, request.body.dryRun, tid, 'retry', { filter });
    },
  );
}
