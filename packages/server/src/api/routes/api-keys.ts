/**
 * Keys and their lifecycle: the admin's list of every key, tenant tokens
 * (made, listed and revoked per tenant) and revocation. Revoked keys stay
 * stored with `revokedAt` so the list can answer "what was revoked, when";
 * this process refuses them from the next request on, other processes once
 * their one-minute key cache has let go (auth.ts).
 */
import type { Static } from '@sinclair/typebox';
import { HeraldError } from '../../domain/errors.ts';
import { newId, randomToken } from '../../domain/ids.ts';
import type { ApiKey } from '../../domain/types.ts';
import { hashKey } from '../auth.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { iso, isoOrNull } from '../render.ts';
import { errorResponses, NoContent, pageOf, TenantParams } from '../schemas/common.ts';
import {
  ApiKeySchema,
  CreateTokenBody,
  KeyParams,
  ListApiKeysQuery,
  ListTokensQuery,
  TenantKeyParams,
  TokenSchema,
} from '../schemas/keys.ts';

/** A key as listed: never the key, never its hash. */
export function renderApiKey(k: ApiKey): Static<typeof ApiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    tenantId: k.tenantId,
    role: k.role,
    source: k.source,
    createdAt: iso(k.createdAt),
    expiresAt: isoOrNull(k.expiresAt),
    lastUsedAt: isoOrNull(k.lastUsedAt),
    revokedAt: isoOrNull(k.revokedAt),
  };
}

export function registerApiKeyRoutes(app: HeraldApp, { store, clock, auth }: RouteDeps): void {
  app.get(
    '/v1/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['api keys'],
        summary: 'List API keys, tenant tokens and portal sessions (never the keys themselves)',
        querystring: ListApiKeysQuery,
        response: { 200: pageOf(ApiKeySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId, includeRevoked, limit, cursor } = request.query;
      const page = await store.listApiKeys(
        { ...(tenantId === undefined ? {} : { tenantId }), includeRevoked: includeRevoked ?? false },
        { limit: limit ?? 50, cursor: cursor ?? null },
      );
      return { data: page.data.map(renderApiKey), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['api keys'],
        summary: 'Revoke a key (the one making this request too: its next request gets 401)',
        params: KeyParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await store.revokeApiKey(id, clock()))) {
        throw new HeraldError(
          'not_found',
          `API key '${id}' was not found or is revoked already: GET /v1/api-keys lists the keys in use`,
        );
      }
      auth.forgetKey(id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/tenants/:tid/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tenants'],
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
      const ttl = request.body.expiresInSeconds;
      const key = {
        id: newId('key', now),
        hash: hashKey(token),
        tenantId: tenant.id,
        name: request.body.name ?? '',
        createdAt: now,
        expiresAt: ttl === undefined ? null : now + ttl * 1000,
        role: 'tenant' as const,
      };
      await store.createApiKey(key);
      return reply.code(201).send({
        id: key.id,
        token,
        tenantId: tenant.id,
        name: key.name,
        role: key.role,
        createdAt: iso(now),
        expiresAt: isoOrNull(key.expiresAt),
      });
    },
  );

  app.get(
    '/v1/tenants/:tid/tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: "List a tenant's tokens and portal sessions (never the tokens themselves)",
        params: TenantParams,
        querystring: ListTokensQuery,
        response: { 200: pageOf(ApiKeySchema), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tid);
      const { includeRevoked, limit, cursor } = request.query;
      const page = await store.listApiKeys(
        { tenantId: tenant.id, includeRevoked: includeRevoked ?? false },
        { limit: limit ?? 50, cursor: cursor ?? null },
      );
      return { data: page.data.map(renderApiKey), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/tenants/:tid/tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tenants'],
        summary: "Revoke one of a tenant's tokens or portal sessions",
        params: TenantKeyParams,
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tid, id } = request.params;
      await requireTenant(store, tid);
      if (!(await store.revokeApiKey(id, clock(), { tenantId: tid }))) {
        throw new HeraldError(
          'not_found',
          `token '${id}' of tenant '${tid}' was not found or is revoked already: GET /v1/tenants/${tid}/tokens lists them`,
        );
      }
      auth.forgetKey(id);
      return reply.code(204).send(null);
    },
  );
}
