import { Type } from '@sinclair/typebox';
import { IsoTime, JsonObject, Nullable, pageQuery } from './common.ts';
import { MAX_BACKLOG, MAX_RATE_PER_SECOND, MIN_RATE_PER_SECOND } from './limits.ts';
import { MAX_TRANSFORM_SOURCE_LENGTH } from './transforms.ts';

const lit = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const SignatureSchema = Type.Object(
  {
    scheme: lit('standard-webhooks', 'hmac-sha256', 'verification-key'),
    header: Type.Optional(
      Type.String({ description: 'hmac-sha256 (required) and verification-key: the header to send' }),
    ),
    prefix: Type.Optional(Type.String({ maxLength: 64, description: 'hmac-sha256: e.g. "sha256="' })),
    encoding: Type.Optional(lit('hex', 'base64')),
  },
  { additionalProperties: false },
);

export const RetrySchema = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 50, description: 'total attempts, the first included' }),
    schedule: Type.Optional(
      Type.Array(Type.Integer({ minimum: 0, maximum: 86_400 }), {
        minItems: 1,
        maxItems: 50,
        description: 'seconds before attempt 2, 3, …; the last entry repeats',
      }),
    ),
  },
  { additionalProperties: false },
);

export const BatchSchema = Type.Object(
  {
    maxSize: Type.Integer({ minimum: 1, maximum: 500 }),
    maxWaitMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
  },
  { additionalProperties: false },
);

export const RateLimitSchema = Type.Object(
  {
    perSecond: Type.Number({ minimum: MIN_RATE_PER_SECOND, maximum: MAX_RATE_PER_SECOND }),
    burst: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

/** Bounds of `verification` (api/endpoint-config.ts checks the request's serialized size). */
export const VERIFICATION_REQUEST_MAX_BYTES = 8192;
export const ANSWER_FIELD_MAX_LENGTH = 256;

/**
 * The ownership challenge in a platform's own shape. The answer field's
 * shape is checked in api/endpoint-config.ts, where the message can say
 * what a dot path is (a schema `pattern` error would only repeat the regex).
 */
export const VerificationSchema = Type.Object(
  {
    request: Type.Unknown({
      description:
        'the challenge body (any JSON, at most 8 KiB serialized); "{{challenge}}" and "{{endpointId}}" in its strings are replaced',
    }),
    answerField: Type.String({
      maxLength: ANSWER_FIELD_MAX_LENGTH,
      description:
        'dot path of the answer field holding hex HMAC-SHA256(key, challenge), e.g. "challenge" or "data.answer": 1–16 names of letters, digits, "_" or "-" (1–64 each)',
    }),
  },
  { additionalProperties: false },
);

/** Every field an endpoint's creator may set (all optional on PATCH). */
const configFields = {
  url: Type.String({ minLength: 1, maxLength: 2048 }),
  name: Type.String({ maxLength: 200 }),
  description: Type.String({ maxLength: 2000 }),
  status: lit('active', 'paused'),
  eventTypes: Nullable(
    Type.Array(Type.String(), { description: 'patterns: a.b, a.*, *.b, a.b@2; null = every type' }),
  ),
  filter: Nullable(JsonObject),
  secret: Type.String({
    description: 'standard-webhooks: a whsec_ secret; others: 8–256 printable characters',
  }),
  signature: SignatureSchema,
  envelope: lit('standard', 'none'),
  format: lit('json', 'xml'),
  method: lit('POST', 'PUT', 'PATCH'),
  headers: Type.Record(Type.String(), Type.String()),
  timeoutMs: Type.Integer({ minimum: 1000, maximum: 30_000 }),
  retry: RetrySchema,
  batch: Nullable(BatchSchema),
  rateLimit: Nullable(RateLimitSchema),
  overflow: lit('buffer', 'drop-oldest'),
  maxBacklog: Nullable(
    Type.Integer({ minimum: 1, maximum: MAX_BACKLOG, description: 'pending deliveries kept (drop-oldest)' }),
  ),
  ordered: Type.Boolean(),
  requireVerification: Type.Boolean(),
  verification: Nullable(VerificationSchema),
  transform: Nullable(
    Type.String({
      maxLength: MAX_TRANSFORM_SOURCE_LENGTH,
      description:
        'JavaScript defining function handler(webhook) { …; return webhook; }, run before each request (at most 64 KiB); null: none',
    }),
  ),
  destination: Nullable(
    Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'options of a broker URL (amqp: exchange, routingKey; nats: subject, jetstream; mqtt: topic, qos; redis: stream, maxLen); null for http(s) and relay:// — docs/destinations.md',
      },
    ),
  ),
  maxInFlight: Type.Integer({ minimum: 1, maximum: 1000 }),
};

const EndpointConfig = Type.Object(configFields, { additionalProperties: false });

export const CreateEndpointBody = Type.Composite(
  [Type.Partial(Type.Omit(EndpointConfig, ['url'])), Type.Object({ url: configFields.url })],
  { additionalProperties: false },
);
export const PatchEndpointBody = Type.Partial(EndpointConfig, { additionalProperties: false });

export const EndpointSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  url: Type.String({ description: 'with any verification key redacted' }),
  name: Type.String(),
  description: Type.String(),
  status: lit('active', 'pending_verification', 'paused', 'disabled'),
  eventTypes: Nullable(Type.Array(Type.String())),
  filter: Nullable(JsonObject),
  signature: SignatureSchema,
  envelope: Type.String(),
  format: Type.String(),
  method: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  timeoutMs: Type.Integer(),
  retry: RetrySchema,
  batch: Nullable(BatchSchema),
  rateLimit: Nullable(RateLimitSchema),
  overflow: Type.String(),
  maxBacklog: Nullable(Type.Integer()),
  ordered: Type.Boolean(),
  requireVerification: Type.Boolean(),
  verification: Nullable(VerificationSchema),
  transform: Nullable(Type.String()),
  destination: Nullable(JsonObject),
  maxInFlight: Type.Integer(),
  hasResources: Type.Boolean(),
  verifiedAt: Nullable(IsoTime),
  disabledReason: Nullable(Type.String()),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  circuit: Type.Optional(
    Type.Object(
      {
        state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]),
        failures: Type.Integer({ description: 'Consecutive failed attempts' }),
        openedAt: Nullable(IsoTime),
      },
      { description: 'Circuit breaker (read-only): open means new deliveries wait for a probe' },
    ),
  ),
});

export const CreatedEndpointSchema = Type.Composite([
  EndpointSchema,
  Type.Object({ secret: Type.String({ description: 'shown here and at GET …/secret' }) }),
]);

export const EndpointParams = Type.Object({ tid: Type.String(), eid: Type.String() });
export const ResourceParams = Type.Object({ tid: Type.String(), eid: Type.String(), rid: Type.String() });

export const ListQuery = Type.Object(pageQuery);

export const SecretSchema = Type.Object({ secret: Type.String() });

export const RotateSecretBody = Type.Object(
  {
    secret: Type.Optional(Type.String({ description: 'the new secret; generated when left out' })),
    graceMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 3_600_000,
        description: 'how long the old secret keeps signing',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RotatedSecretSchema = Type.Object({
  secret: Type.String(),
  previousExpiresAt: Nullable(IsoTime),
});

export const ResourceSchema = Type.Object({ endpointId: Type.String(), resourceId: Type.String() });
export const ResourcePageItem = Type.Object({ resourceId: Type.String(), createdAt: IsoTime });
