/** Tenants and their API tokens. */

import { Type } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import { newId, randomToken } from '../../domain/ids.ts';
import { hashKey } from '../auth.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { iso, renderTenant } from '../render.ts';
import { errorResponses, NoContent, pageOf, pageQuery, TenantParams } from '../schemas/common.ts';
import {
  CreateTenantBody,
  CreateTokenBody,
  PatchTenantBody,
  TenantSchema,
  TokenSchema,
} from '../schemas/tenants.ts';

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
      config: { access: 'tenant' },
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

  app.post(
    '/v1/tenants/:tid/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a tenant-scoped API token (shown once)',
        params: TenantParams,
        body: CreateTokenBody,
        response: { 201: TokenSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tid);
      const now = clock();
      const token = randomToken('hk_tnt', 32);
      const key = {
        id: newId('key', now),
        hash: hashKey(token),
        tenantId: tenant.id,
        name: request.body.name ?? '',
        createdAt: now,
        expiresAt: null,
      };
      await store.createApiKey(key);
      return reply
        .code(201)
        .send({ id: key.id, token, tenantId: tenant.id, name: key.name, createdAt: iso(now) });
    },
  );
}
