/** Per-resource subscriptions: once any is set, the endpoint receives only its resources' events. */
import { HeraldError } from '../../domain/errors.ts';
import { validateResourceId } from '../../domain/names.ts';
import type { HeraldApp, RouteDeps } from '../context.ts';
import { iso } from '../render.ts';
import { errorResponses, NoContent, pageOf } from '../schemas/common.ts';
import {
  EndpointParams,
  ListQuery,
  ResourcePageItem,
  ResourceParams,
  ResourceSchema,
} from '../schemas/endpoints.ts';
import { requireEndpoint, endpointTags as tags } from './endpoints.ts';

export function registerResourceRoutes(app: HeraldApp, { store, clock }: RouteDeps): void {
  const path = '/v1/tenants/:tid/endpoints/:eid/resources/:rid';

  app.put(
    path,
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Subscribe a resource',
        params: ResourceParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, eid, rid } = request.params;
      const problem = validateResourceId(rid);
      if (problem !== null)
        throw new HeraldError('validation_failed', problem, [{ path: 'params.rid', message: problem }]);
      if (!(await store.addResource(tid, eid, rid, clock()))) await requireEndpoint(store, tid, eid);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    path,
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Unsubscribe a resource',
        params: ResourceParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, eid, rid } = request.params;
      if (!(await store.removeResource(tid, eid, rid))) {
        await requireEndpoint(store, tid, eid);
        throw new HeraldError('not_found', `resource '${rid}' is not subscribed to endpoint '${eid}'`);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    path,
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Is a resource subscribed?',
        params: ResourceParams,
        response: { 200: ResourceSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid, rid } = request.params;
      await requireEndpoint(store, tid, eid);
      if (!(await store.hasResource(eid, rid))) {
        throw new HeraldError('not_found', `resource '${rid}' is not subscribed to endpoint '${eid}'`);
      }
      return { endpointId: eid, resourceId: rid };
    },
  );

  app.get(
    '/v1/tenants/:tid/endpoints/:eid/resources',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Subscribed resources, ascending',
        params: EndpointParams,
        querystring: ListQuery,
        response: { 200: pageOf(ResourcePageItem), ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      await requireEndpoint(store, tid, eid);
      const page = await store.listResources(eid, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return {
        data: page.data.map((r) => ({ resourceId: r.resourceId, createdAt: iso(r.createdAt) })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
