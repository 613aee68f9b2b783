import { Type } from '@sinclair/typebox';
import { PORTAL_ADVANCED_FIELDS, PORTAL_BASIC_FIELDS } from '../../domain/portal-fields.ts';
import { IsoTime, Nullable } from './common.ts';

export const MIN_PORTAL_TTL_SECONDS = 60;
export const MAX_PORTAL_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_PORTAL_TTL_SECONDS = 3600;

export const CreatePortalSessionBody = Type.Object(
  {
    ttlSeconds: Type.Optional(
      Type.Integer({
        minimum: MIN_PORTAL_TTL_SECONDS,
        maximum: MAX_PORTAL_TTL_SECONDS,
        description: 'how long the link works; default 3600 (one hour)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PortalSessionSchema = Type.Object({
  url: Type.String({
    description:
      'open it (or put it in an iframe) to manage this tenant’s webhooks; built on HERALD_PUBLIC_URL, else on the address Herald listens on, else relative (/portal#token=…)',
  }),
  expiresAt: IsoTime,
});

export const PortalBrandingSchema = Type.Object({
  name: Type.String(),
  logoUrl: Nullable(Type.String()),
  accent: Type.String({ description: 'a #rrggbb colour' }),
  returnUrl: Nullable(
    Type.String({
      description:
        'where the portal\'s "go back" link leads once a link has ended (signed out or expired); HERALD_PORTAL_RETURN_URL, null when unset',
    }),
  ),
});

export const SessionInfoSchema = Type.Object({
  kind: Type.Union([Type.Literal('admin'), Type.Literal('tenant')], {
    description: 'admin, or scoped to one tenant (a tenant token or a portal session)',
  }),
  role: Type.Union([Type.Literal('admin'), Type.Literal('tenant'), Type.Literal('portal')], {
    description:
      'portal: a customer-portal session, which cannot send events, change the tenant or make keys',
  }),
  tenantId: Nullable(Type.String()),
  expiresAt: Nullable(IsoTime),
  endpointFields: Nullable(
    Type.Array(Type.Union(PORTAL_ADVANCED_FIELDS.map((f) => Type.Literal(f))), {
      description: `portal: the advanced endpoint fields this session may set (HERALD_PORTAL_FIELDS), besides ${PORTAL_BASIC_FIELDS.join(', ')}; null: every field (admin keys and tenant tokens)`,
    }),
  ),
});
