/** Tenants (their tokens: api-keys.ts). */

import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { renderTenant } from '../render.ts';
import { errorResponses, NoContent, pageOf, pageQuery, TenantParams } from '../schemas/common.ts';
import { CreateTenantBody, PatchTenantBody, TenantSchema } from '../schemas/tenants.ts';

const tags = ['tenants'];

export function registerTenantRoutes(app: HeraldApp, { store, clock, auth }: RouteDeps): void {
  app.post(
    '/v1/tenants',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a tenant',
        body: CreateTenantBody,
        response: { 201: TenantSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const now = clock();
      const id = request.body.id ?? newId('tnt', now);
      const tenant = await store.createTenant({
        id,
        name: request.body.name ?? id,
        metadata: request.body.metadata ?? {},
        createdAt: now,
        updatedAt: now,
      });
      return reply.code(201).send(renderTenant(tenant));
    },
  );

  app.get(
    '/v1/tenants',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'List tenants',
        querystring: Type.Object(pageQuery),
        response: { 200: pageOf(TenantSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await store.listTenants({
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor ?? null,
      });
      return { data: page.data.map(renderTenant), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/tenants/:tid',
    {
      // The portal shows the tenant's name; changing it (PATCH) needs a tenant token.
      config: { access: 'portal' },
      schema: {
        tags,
        summary: 'Get a tenant',
        params: TenantParams,
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => renderTenant(await requireTenant(store, request.params.tid)),
  );

  app.patch(
    '/v1/tenants/:tid',
    {
      config: { access: 'tenant' },
      schema: {
        tags,
        summary: 'Update a tenant',
        params: TenantParams,
        body: PatchTenantBody,
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await store.updateTenant(request.params.tid, request.body, clock());
      if (!tenant) throw new HeraldError('not_found', `tenant '${request.params.tid}' was not found`);
      return renderTenant(tenant);
    },
  );

  app.delete(
    '/v1/tenants/:tid',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a tenant and everything it owns',
        params: TenantParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!(await store.deleteTenant(request.params.tid))) {
        throw new HeraldError('not_found', `tenant '${request.params.tid}' was not found`);
      }
      auth.forgetTenant(request.params.tid);
      return reply.code(204).send(null);
    },
  );
}
