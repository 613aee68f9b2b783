/**
 * Terminology (see DESIGN.md):
 *
 * - tenant: one customer of the platform; owns endpoints, events and logs.
 * - event type: a named kind of event (`device.enrolled`) with a group, integer
 *   versions, an optional JSON Schema and example per version.
 * - endpoint: a subscription: a tenant's URL plus what it receives (event types,
 *   resources, filter) and how (method, format, headers, signature, retries…).
 * - event: one thing that happened, sent by the platform. Stored once.
 * - delivery: one event owed to one endpoint. Moves through DeliveryStatus.
 * - attempt: one HTTP request of a delivery, with its full log record.
 *
 * Times inside Herald are epoch milliseconds (numbers); the API renders them
 * as ISO-8601 strings at the edge.
 */

export type EndpointStatus = 'active' | 'pending_verification' | 'paused' | 'disabled';

/**
 * pending → in_flight → succeeded | failed | dropped | cancelled, and
 * in_flight → pending between retries. A pending delivery whose endpoint is
 * not active is "parked" (nextAttemptAt null) until the endpoint is active.
 */
export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'dropped' | 'cancelled';

export type AttemptTrigger = 'scheduled' | 'manual' | 'test';

export type SignatureConfig =
  | { scheme: 'standard-webhooks' }
  | { scheme: 'hmac-sha256'; header: string; prefix?: string; encoding?: 'hex' | 'base64' }
  | { scheme: 'verification-key'; header?: string };

export type Envelope = 'standard' | 'none';
export type BodyFormat = 'json' | 'xml';
export type HttpMethod = 'POST' | 'PUT' | 'PATCH';
export type OverflowPolicy = 'buffer' | 'drop-oldest';

export interface RetryPolicy {
  /** Total attempts including the first one. */
  maxAttempts: number;
  /** Delays in seconds before attempt 2, 3, …; the last entry repeats. */
  schedule?: number[];
}

export interface BatchPolicy {
  maxSize: number;
  maxWaitMs: number;
}

export interface RateLimitPolicy {
  perSecond: number;
  burst?: number;
}

export interface Tenant {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface EventTypeVersion {
  version: number;
  schema: Record<string, unknown> | null;
  example: unknown;
  createdAt: number;
}

export interface EventType {
  name: string;
  group: string | null;
  description: string;
  deprecated: boolean;
  /** Sorted by version, ascending. */
  versions: EventTypeVersion[];
  createdAt: number;
  updatedAt: number;
}

export interface EndpointSecret {
  value: string;
  /** null for the current secret; set for a previous secret still signing during rotation. */
  expiresAt: number | null;
}

/**
 * The ownership challenge in a platform's own shape (DESIGN v2), for
 * receivers written from that platform's docs rather than Herald's.
 */
export interface VerificationConfig {
  /** Any JSON; `{{challenge}}` and `{{endpointId}}` inside its strings are replaced before sending. */
  request: unknown;
  /** Dot path (`challenge`, `data.answer`) of the answer's field holding hex HMAC-SHA256(key, challenge). */
  answerField: string;
}

export interface Endpoint {
  id: string;
  tenantId: string;
  url: string;
  name: string;
  description: string;
  status: EndpointStatus;
  /** null means every event type. Patterns: `a.b`, `a.*`, `*.b`, `a.b@2`. */
  eventTypes: string[] | null;
  filter: Record<string, unknown> | null;
  /** First entry is the current secret; later ones are rotated-out secrets in their grace period. */
  secrets: EndpointSecret[];
  signature: SignatureConfig;
  envelope: Envelope;
  format: BodyFormat;
  method: HttpMethod;
  headers: Record<string, string>;
  timeoutMs: number;
  retry: RetryPolicy;
  batch: BatchPolicy | null;
  rateLimit: RateLimitPolicy | null;
  overflow: OverflowPolicy;
  maxBacklog: number | null;
  ordered: boolean;
  requireVerification: boolean;
  /** null: Herald's own challenge, `{"type":"endpoint.verification",…}` answered with `{"challenge":…}`. */
  verification: VerificationConfig | null;
  /** JavaScript defining handler(webhook), run in the sandbox before each request (docs/transformations.md); null: none. */
  transform: string | null;
  /**
   * Options of a broker destination (DESIGN.md, "Destinations beyond HTTP"): the
   * exchange and routing key, subject, topic and QoS, stream; what `url`'s scheme
   * takes is checked by its kind. null for http(s) and relay endpoints.
   */
  destination: Record<string, unknown> | null;
  /** Most requests in flight to this endpoint at once, across all workers. */
  maxInFlight: number;
  /** True once any resource is subscribed: then only events for subscribed resources match. */
  hasResources: boolean;
  verifiedAt: number | null;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface HeraldEvent {
  id: string;
  tenantId: string;
  type: string;
  version: number;
  resource: string | null;
  /** The event's data as compact JSON text, exactly as it is sent. */
  payload: string;
  idempotencyKey: string | null;
  createdAt: number;
}

export interface Delivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  status: DeliveryStatus;
  /** Attempts started so far (claimed), including one in flight. */
  attempts: number;
  /** When it is due; null when parked (endpoint not active) or finished. */
  nextAttemptAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
}

export type AttemptErrorKind =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'private_network'
  | 'invalid_url'
  | 'http_status'
  | 'redirect'
  | 'network'
  /** The endpoint's transform threw, timed out, ran out of memory or returned something unusable. */
  | 'transform'
  /** The endpoint's transform set `cancel: true`: nothing was sent, and the delivery is cancelled. */
  | 'cancelled';

export interface AttemptError {
  kind: AttemptErrorKind;
  message: string;
}

export interface Attempt {
  id: string;
  /** Unique per attempt; sent to the endpoint as `x-request-id`. */
  requestId: string;
  tenantId: string;
  deliveryId: string | null;
  eventId: string | null;
  endpointId: string | null;
  eventType: string;
  attemptNumber: number;
  trigger: AttemptTrigger;
  /** With any verification key redacted. */
  url: string;
  method: HttpMethod;
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number;
  error: AttemptError | null;
  /** Whether this attempt counts as a success (2xx). */
  succeeded: boolean;
  createdAt: number;
}

/**
 * What a key may do: `admin` everything; `tenant` (a tenant token) all of one
 * tenant's routes; `portal` (a customer-portal session) one tenant's
 * endpoints and log, but not sending events, tenant settings or keys.
 */
export type KeyRole = 'admin' | 'tenant' | 'portal';

/**
 * Where a key came from: `env` is HERALD_API_KEY (revoked at start when the
 * variable changes), `generated` the first-start admin key, `api` a token or
 * portal session made through the API.
 */
export type KeySource = 'api' | 'env' | 'generated';

/** A key as it is created; the store fills in the rest (role from tenantId, source `api`). */
export interface NewApiKey {
  id: string;
  /** sha256 hex of the key. The key itself is never stored. */
  hash: string;
  /** null for an admin key. */
  tenantId: string | null;
  name: string;
  createdAt: number;
  /** null: valid until revoked; set for short-lived keys (customer-portal sessions, expiring tokens). */
  expiresAt: number | null;
  /** Default: `admin` without a tenant, else `tenant`. A key with a tenant is never `admin`. */
  role?: KeyRole;
  source?: KeySource;
}

export interface ApiKey extends NewApiKey {
  role: KeyRole;
  source: KeySource;
  /** When a request last used it, to within a minute (writes are coalesced); null: never. */
  lastUsedAt: number | null;
  /** Revoked keys are kept (for audit) and refused. */
  revokedAt: number | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | null;
}
