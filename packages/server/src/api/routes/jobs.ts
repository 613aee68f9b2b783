/** Recovery jobs as the API shows them: status and progress. */

import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import type { Job } from '../../store/ops-port.ts';
import { opsOf } from '../../store/ops-port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { renderReport } from '../health-render.ts';
import { iso, isoOrNull } from '../render.ts';
import { errorResponses, pageOf, pageQuery, TenantParams } from '../schemas/common.ts';
import { JobParamsSchema, JobSchema } from '../schemas/ops.ts';

const tags = ['jobs'];

/**
 * A time as ISO text, or the stored number as it is when no date can show it:
 * jobs created before times were range-checked may hold e.g. 1e20, and one
 * such row must not make the whole job list fail.
 */
function paramTime(ms: number): string | number {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? ms : date.toISOString();
}

/** Times in params are shown as ISO strings like everywhere else in the API. */
function renderParams(params: Job['params']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'filter' && typeof value === 'object' && value !== null) {
      out[key] = renderParams(value as Job['params']);
    } else if ((key === 'since' || key === 'until') && typeof value === 'number') {
      out[key] = paramTime(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function renderJob(job: Job) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    params: renderParams(job.params),
    progress: job.progress,
    error: job.error,
    // Said as of the job's last chunk: "a probe may go now" means then.
    report: job.report && renderReport(job.report, job.updatedAt),
    createdAt: iso(job.createdAt),
    startedAt: isoOrNull(job.startedAt),
    finishedAt: isoOrNull(job.finishedAt),
  };
}

export function registerJobRoutes(app: HeraldApp, { store }: RouteDeps): void {
  app.get(
    '/v1/tenants/:tid/jobs',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Recovery jobs (recover, replay, bulk retry), newest first',
        params: TenantParams,
        querystring: Type.Object(pageQuery),
        response: { 200: pageOf(JobSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const page = await opsOf(store).listJobs(tid, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return { data: page.data.map(renderJob), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tenants/:tid/jobs/:id',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "One job's status and progress",
        params: JobParamsSchema,
        response: { 200: JobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, id } = request.params;
      const job = await opsOf(store).getJob(tid, id);
      if (!job) {
        await requireTenant(store, tid);
        throw new HeraldError('not_found', `job '${id}' was not found in tenant '${tid}'`);
      }
      return renderJob(job);
    },
  );
}
