/**
 * The customer portal: an admin creates a short-lived link for one tenant;
 * whoever opens it manages that tenant's webhooks in the dashboard and
 * nothing else. The link carries a key with the `portal` role in its
 * fragment (`#token=`), which browsers never send to servers or put in
 * Referer headers; the key expires on its own and can be revoked like a token.
 *
 * The link is built on HERALD_PUBLIC_URL, else on the address this process
 * listens on, else (an in-process app that does not listen) it is relative,
 * `/portal#token=…`. Never on the request's Host header: whoever can reach
 * the API with a forged Host would get links to their own server, holding a
 * live key.
 *
 * A portal session can end itself (`DELETE /v1/portal/session`, the
 * portal's "Sign out"): the key is revoked, so the link stops working for
 * whoever else holds it too.
 */
import { HeraldError } from '../../domain/errors.ts';
import { newId, randomToken } from '../../domain/ids.ts';
import { DEFAULT_PORTAL_FIELDS, type PortalAdvancedField } from '../../domain/portal-fields.ts';
import { hashKey } from '../auth.ts';
import { type HeraldApp, type RouteDeps, requireTenant } from '../context.ts';
import { iso } from '../render.ts';
import { errorResponses, NoContent, TenantParams } from '../schemas/common.ts';
import {
  CreatePortalSessionBody,
  DEFAULT_PORTAL_TTL_SECONDS,
  PortalBrandingSchema,
  PortalSessionSchema,
  SessionInfoSchema,
} from '../schemas/portal.ts';
import { registerPortalFieldGuard } from './portal-fields.ts';

export interface PortalOptions {
  /** Where users reach Herald (HERALD_PUBLIC_URL), without a trailing slash; null: see `listenUrl`. */
  publicUrl: string | null;
  /** The address this process listens on once it does (`http://host:port`); null before, or never. */
  listenUrl: () => string | null;
  name: string;
  logoUrl: string | null;
  /** A #rrggbb colour. */
  accent: string;
  /** Where the portal's "go back" link leads once a link has ended (HERALD_PORTAL_RETURN_URL); null: no link. */
  returnUrl: string | null;
  /** The advanced endpoint fields portal sessions may see and set (HERALD_PORTAL_FIELDS). */
  fields: readonly PortalAdvancedField[];
}

export const DEFAULT_PORTAL_OPTIONS: PortalOptions = {
  publicUrl: null,
  listenUrl: () => null,
  name: 'Webhooks',
  logoUrl: null,
  accent: '#4f46e5',
  returnUrl: null,
  fields: DEFAULT_PORTAL_FIELDS,
};

const tags = ['portal'];

export function registerPortalRoutes(
  app: HeraldApp,
  { store, clock, auth }: RouteDeps,
  portal: PortalOptions,
): void {
  registerPortalFieldGuard(app, portal.fields);

  app.post(
    '/v1/tenants/:tid/portal-sessions',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'A short-lived customer-portal link for one tenant',
        params: TenantParams,
        body: CreatePortalSessionBody,
        response: { 201: PortalSessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tid);
      const now = clock();
      const expiresAt = now + (request.body.ttlSeconds ?? DEFAULT_PORTAL_TTL_SECONDS) * 1000;
      const token = randomToken('hk_portal', 32);
      await store.createApiKey({
        id: newId('key', now),
        hash: hashKey(token),
        tenantId: tenant.id,
        name: 'portal session',
        createdAt: now,
        expiresAt,
        role: 'portal',
      });
      const base = (portal.publicUrl ?? portal.listenUrl() ?? '').replace(/\/+$/, '');
      return reply.code(201).send({ url: `${base}/portal#token=${token}`, expiresAt: iso(expiresAt) });
    },
  );

  // The dashboard learns from its key whom it serves: a portal link holds only the key.
  app.get(
    '/v1/portal/session',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: 'Who the presented key is: an admin, a tenant token or a portal session (and until when)',
        response: { 200: SessionInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      // Access `any` has authenticated the request already; this only narrows the type.
      if (!principal)
        throw new HeraldError('unauthorized', "send the API key as 'Authorization: Bearer <key>'");
      return {
        kind: principal.kind,
        role: principal.role,
        tenantId: principal.kind === 'admin' ? null : principal.tenantId,
        expiresAt: principal.expiresAt === null ? null : iso(principal.expiresAt),
        endpointFields: principal.role === 'portal' ? [...portal.fields] : null,
      };
    },
  );

  app.delete(
    '/v1/portal/session',
    {
      config: { access: 'any' },
      schema: {
        tags,
        summary: "End the presented customer-portal session (the portal's Sign out): its link stops working",
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (principal?.role !== 'portal') {
        throw new HeraldError(
          'forbidden',
          'only a customer-portal session can end itself here; revoke other keys with DELETE /v1/api-keys/:id',
        );
      }
      await store.revokeApiKey(principal.keyId, clock(), { tenantId: principal.tenantId });
      auth.forgetKey(principal.keyId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/portal/branding',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: "The portal's name, logo and accent colour (no key needed: the sign-in page shows them)",
        security: [],
        response: { 200: PortalBrandingSchema },
      },
    },
    async () => ({
      name: portal.name,
      logoUrl: portal.logoUrl,
      accent: portal.accent,
      returnUrl: portal.returnUrl,
    }),
  );
}
