/**
 * Endpoint health (circuit, last error, backlog, next attempt, 24 h success
 * rate) for one endpoint or a page of them, and the two actions that get a
 * stuck endpoint's deliveries moving: reset its circuit, and retry now.
 * Both answer what they did the way every retry does (queued, and why the
 * rest are not), with the endpoint's health afterwards.
 */
import { HeraldError } from '../../domain/errors.ts';
import { addToReport, blockerOf, emptyReport } from '../../domain/retry-report.ts';
import type { Endpoint } from '../../domain/types.ts';
import { type EndpointHealthFacts, healthOf } from '../../store/health-port.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { requireTenant } from '../context.ts';
import { gateOf, renderCircuit, renderHealth, renderReport } from '../health-render.ts';
import { errorResponses, pageOf, TenantParams } from '../schemas/common.ts';
import { EndpointParams, ListQuery } from '../schemas/endpoints.ts';
import { CircuitResetSchema, EndpointHealthSchema, RetryNowSchema } from '../schemas/health.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The success rate's window: the last 24 hours of the rollup, in whole minutes. */
const windowStart = (now: number) => Math.floor((now - DAY_MS) / MINUTE_MS) * MINUTE_MS;

export function registerEndpointHealthRoutes(app: HeraldApp, { store, clock }: RouteDeps): void {
  const factsOf = async (tid: string, endpoints: Endpoint[], now: number) => {
    const ids = endpoints.map((e) => e.id);
    return new Map(
      (await healthOf(store).endpointHealth(tid, ids, windowStart(now))).map((f) => [f.endpointId, f]),
    );
  };
  const oneHealth = async (tid: string, endpoint: Endpoint, now: number): Promise<EndpointHealthFacts> => {
    const facts = (await factsOf(tid, [endpoint], now)).get(endpoint.id);
    if (!facts)
      throw new HeraldError('not_found', `endpoint '${endpoint.id}' was not found in tenant '${tid}'`);
    return facts;
  };
  /** Every pending delivery of the endpoint goes now, unless its status or circuit holds them all. */
  const pendingReport = (endpoint: Endpoint, facts: EndpointHealthFacts, sendable: number) => {
    const gate = gateOf(endpoint, facts.flow);
    const blocker = blockerOf(gate);
    const report = emptyReport();
    if (blocker === null) addToReport(report, gate, 'queued', sendable);
    else addToReport(report, gate, blocker, facts.pending);
    return report;
  };

  app.get(
    '/v1/tenants/:tid/endpoints/health',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "The health of a tenant's endpoints (the list's order and paging)",
        description:
          'Circuit (state, since when, next probe, consecutive failures), last error, last and next attempt, backlog, ' +
          'exhausted deliveries and the success rate of the last 24 hours (from the stats rollup), and what blocks ' +
          'delivery now with the action that unblocks it. A fixed number of queries per page.',
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: pageOf(EndpointHealthSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tid } = request.params;
      await requireTenant(store, tid);
      const page = await store.listEndpoints(tid, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      const now = clock();
      const facts = await factsOf(tid, page.data, now);
      const data = page.data.flatMap((e) => {
        const f = facts.get(e.id);
        return f ? [renderHealth(e, f, now)] : [];
      });
      return { data, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tenants/:tid/endpoints/:eid/health',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "An endpoint's health: circuit, last error, backlog, next attempt, 24 h success rate",
        params: EndpointParams,
        response: { 200: EndpointHealthSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      const now = clock();
      return renderHealth(endpoint, await oneHealth(tid, endpoint, now), now);
    },
  );

  app.post(
    '/v1/tenants/:tid/endpoints/:eid/circuit/reset',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "Close the endpoint's circuit now: the deliveries it held back are due at once",
        description:
          'For when the receiver is fixed: consecutive failures go back to 0 and the next attempt is not a probe. ' +
          'How long the endpoint has failed (failingSince) is kept, so auto-disable still applies if it fails on.',
        params: EndpointParams,
        response: { 200: CircuitResetSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      const now = clock();
      const reset = await healthOf(store).resetCircuit(tid, eid, now);
      if (!reset) throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
      request.log.info(
        { tenantId: tid, endpointId: eid, was: reset.previous.circuit, failures: reset.previous.failures },
        'circuit reset by hand',
      );
      store.notifyWork();
      const facts = await oneHealth(tid, endpoint, now);
      return {
        previous: renderCircuit(reset.previous),
        due: reset.due,
        ...renderReport(pendingReport(endpoint, facts, reset.due), now),
        health: renderHealth(endpoint, facts, now),
      };
    },
  );

  app.post(
    '/v1/tenants/:tid/endpoints/:eid/retry-now',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "Make the endpoint's pending deliveries that wait for a retry due now",
        description:
          'Parked deliveries (the endpoint is paused, disabled or not verified) stay parked, and an open circuit ' +
          'still holds them: the answer says so, with the action that unblocks them.',
        params: EndpointParams,
        response: { 200: RetryNowSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const endpoint = await requireEndpoint(store, tid, eid);
      const now = clock();
      const result = await healthOf(store).retryNow(tid, eid, now);
      if (!result) throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
      if (result.moved > 0) store.notifyWork();
      const facts = await oneHealth(tid, endpoint, now);
      return {
        moved: result.moved,
        ...renderReport(pendingReport(endpoint, facts, result.pending), now),
        health: renderHealth(endpoint, facts, now),
      };
    },
  );
}
