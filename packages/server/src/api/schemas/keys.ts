/** API keys as the API lists them (never the key nor its hash), and tenant tokens. */
import { Type } from '@sinclair/typebox';
import { IsoTime, Nullable, pageQuery } from './common.ts';

export const MIN_TOKEN_TTL_SECONDS = 60;
/** Ten years: far inside what both stores hold as epoch milliseconds. */
export const MAX_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 3600;

const KeyId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'key id (key_…)' });
const TenantId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'tenant id' });

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    tenantId: Nullable(Type.String({ description: 'null for an admin key' })),
    role: Type.Union([Type.Literal('admin'), Type.Literal('tenant'), Type.Literal('portal')], {
      description: 'admin: everything; tenant: a tenant token; portal: a customer-portal session',
    }),
    source: Type.Union([Type.Literal('api'), Type.Literal('env'), Type.Literal('generated')], {
      description: 'env: HERALD_API_KEY; generated: the first-start admin key; api: made through the API',
    }),
    createdAt: IsoTime,
    expiresAt: Nullable(IsoTime),
    lastUsedAt: Nullable(
      Type.String({ format: 'date-time', description: 'last use, to within a minute; null: never used' }),
    ),
    revokedAt: Nullable(IsoTime),
  },
  { description: 'An API key, tenant token or portal session; the key itself is shown only when made' },
);

export const ListApiKeysQuery = Type.Object({
  ...pageQuery,
  tenantId: Type.Optional(TenantId),
  includeRevoked: Type.Optional(
    Type.Boolean({ default: false, description: 'also list revoked keys (kept for audit)' }),
  ),
});

export const ListTokensQuery = Type.Object({
  ...pageQuery,
  includeRevoked: Type.Optional(
    Type.Boolean({ default: false, description: 'also list revoked tokens (kept for audit)' }),
  ),
});

export const KeyParams = Type.Object({ id: KeyId });

export const TenantKeyParams = Type.Object({
  tid: Type.String({ description: 'tenant id' }),
  id: KeyId,
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    expiresInSeconds: Type.Optional(
      Type.Integer({
        minimum: MIN_TOKEN_TTL_SECONDS,
        maximum: MAX_TOKEN_TTL_SECONDS,
        description: 'the token stops working this long after it is made (60 s to 10 years); default never',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TokenSchema = Type.Object({
  id: Type.String(),
  token: Type.String({ description: 'shown once; Herald keeps only its hash' }),
  tenantId: Type.String(),
  name: Type.String(),
  role: Type.Literal('tenant'),
  createdAt: IsoTime,
  expiresAt: Nullable(IsoTime),
});
