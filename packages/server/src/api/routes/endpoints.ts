/** A tenant's endpoints: create (the secret shown once), list, get, update, delete. */
import { HeraldError } from '../../domain/errors.ts';
import type { Endpoint } from '../../domain/types.ts';
import type { Store } from '../../store/port.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { buildEndpoint, planEndpointPatch } from '../endpoint-config.ts';
import { renderEndpoint } from '../render.ts';
import { errorResponses, NoContent, pageOf, TenantParams } from '../schemas/common.ts';
import {
  CreatedEndpointSchema,
  CreateEndpointBody,
  EndpointParams,
  EndpointSchema,
  ListQuery,
  PatchEndpointBody,
} from '../schemas/endpoints.ts';

export const endpointTags = ['endpoints'];

/** The tenant's endpoint, or a 404 naming what was missing. */
export async function requireEndpoint(store: Store, tid: string, eid: string): Promise<Endpoint> {
  const endpoint = await store.getEndpoint(tid, eid);
  if (endpoint) return endpoint;
  await requireTenant(store, tid);
  throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
}

export function registerEndpointRoutes(
  app: HeraldApp,
  { store, clock, options, transformer }: RouteDeps,
): void {
  const tags = endpointTags;
  const rules = {
    maxCustomHeaders: options.maxCustomHeaders,
    workerConcurrency: options.workerConcurrency,
    checkTransform: (source: string) => transformer.check(source),
  };

  app.post(
    '/v1/tenants/:tid/endpoints',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Create an endpoint (the response holds its secret)',
        params: TenantParams,
        body: CreateEndpointBody,
        response: { 201: CreatedEndpointSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requireTenant(store, request.params.tid);
      const endpoint = await store.createEndpoint(
        buildEndpoint(request.params.tid, request.body, clock(), rules),
      );
      return reply.code(201).send({ ...renderEndpoint(endpoint), secret: endpoint.secrets[0]?.value ?? '' });
    },
  );

  app.get(
    '/v1/tenants/:tid/endpoints',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: "List a tenant's endpoints",
        params: TenantParams,
        querystring: ListQuery,
        response: { 200: pageOf(EndpointSchema), ...errorResponses },
      },
    },
    async (request) => {
      await requireTenant(store, request.params.tid);
      const page = await store.listEndpoints(request.params.tid, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      const circuits = await store.getCircuits(page.data.map((e) => e.id));
      return {
        data: page.data.map((e) => renderEndpoint(e, circuits.get(e.id))),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/tenants/:tid/endpoints/:eid',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Get an endpoint',
        params: EndpointParams,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const endpoint = await requireEndpoint(store, request.params.tid, request.params.eid);
      return renderEndpoint(endpoint, (await store.getCircuits([endpoint.id])).get(endpoint.id));
    },
  );

  app.patch(
    '/v1/tenants/:tid/endpoints/:eid',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Update an endpoint (status active re-enables a paused or disabled one)',
        params: EndpointParams,
        body: PatchEndpointBody,
        response: { 200: EndpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tid, eid } = request.params;
      const current = await requireEndpoint(store, tid, eid);
      const patch = planEndpointPatch(current, request.body, rules);
      const updated = await store.updateEndpoint(tid, eid, patch, clock());
      if (!updated) throw new HeraldError('not_found', `endpoint '${eid}' was not found in tenant '${tid}'`);
      if (updated.status === 'active' && current.status !== 'active') store.notifyWork();
      return renderEndpoint(updated, (await store.getCircuits([eid])).get(eid));
    },
  );

  app.delete(
    '/v1/tenants/:tid/endpoints/:eid',
    {
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Delete an endpoint (its unfinished deliveries are cancelled)',
        params: EndpointParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, eid } = request.params;
      if (!(await store.deleteEndpoint(tid, eid, clock()))) await requireEndpoint(store, tid, eid);
      return reply.code(204).send(null);
    },
  );
}
