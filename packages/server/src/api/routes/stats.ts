/** Delivery stats per endpoint and per tenant, read from the rollup. */
import { HeraldError } from '../../domain/errors.ts';
import { DEFAULT_RANGE_MS, queryStats, type StatsBucket, type StatsResult } from '../../ops/stats.ts';
import { opsOf } from '../../store/ops-port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { parseTime } from '../query.ts';
import { iso } from '../render.ts';
import { errorResponses, TenantParams } from '../schemas/common.ts';
import { EndpointParams } from '../schemas/endpoints.ts';
import { StatsQuery, StatsSchema } from '../schemas/ops.ts';

const tags = ['stats'];

const renderBucket = (b: StatsBucket) => ({ ...b, start: iso(b.start) });
const renderStats = (s: StatsResult) => ({
  since: iso(s.since),
  until: iso(s.until),
  bucket: s.bucket,
  buckets: s.buckets.map(renderBucket),
  totals: renderBucket(s.totals),
});

export function registerStatsRoutes(app: HeraldApp, { store, clock }: RouteDeps): void {
  const range = (q: { since?: string; until?: string }) => {
    const until = parseTime(q.until, 'until') ?? clock();
    const since = parseTime(q.since, 'since') ?? until - DEFAULT_RANGE_MS;
    return { since, until };
  };
  const description =
    'Attempts per time bucket (test sends excluded): by outcome and status class, with latency percentiles ' +
    'estimated from a log-scale histogram (precise to about 40 % of the value).';

  app.get(
    '/v1/tenants/:tid/endpoints/:eid/stats',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "An endpoint's delivery stats over time",
        description,
        params: EndpointParams,
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      if (!(await store.getEndpoint(tid, eid))) {
        await requireTenant(store, tid);
        throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
      }
      const { bucket } = request.query;
      const stats = await queryStats(opsOf(store), {
        tenantId: tid,
        endpointId: eid,
        ...range(request.query),
        ...(bucket ? { bucket } : {}),
      });
      return renderStats(stats);
    },
  );

  app.get(
    '/v1/tenants/:tid/stats',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "A tenant's delivery stats over time, all endpoints together",
        description,
        params: TenantParams,
        querystring: StatsQuery,
        response: { 200: StatsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const { bucket } = request.query;
      const stats = await queryStats(opsOf(store), {
        tenantId: tid,
        ...range(request.query),
        ...(bucket ? { bucket } : {}),
      });
      return renderStats(stats);
    },
  );
}
