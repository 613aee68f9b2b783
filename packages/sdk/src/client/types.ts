/**
 * The JSON shapes of Herald's HTTP API as the client sees them (times are ISO
 * strings). They mirror the server's TypeBox schemas; `GET /openapi.json` is
 * the reference.
 */

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export interface Tenant {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface EventTypeVersion {
  version: number;
  schema: Record<string, unknown> | null;
  example: unknown;
  createdAt: string;
}

export interface EventType {
  name: string;
  group: string | null;
  description: string;
  deprecated: boolean;
  latestVersion: number;
  versions: EventTypeVersion[];
  createdAt: string;
  updatedAt: string;
}

export type SignatureScheme = 'standard-webhooks' | 'hmac-sha256' | 'verification-key';

export interface SignatureConfig {
  scheme: SignatureScheme;
  header?: string;
  prefix?: string;
  encoding?: 'hex' | 'base64';
}

export interface RetryConfig {
  maxAttempts: number;
  schedule?: number[];
}

export interface BatchConfig {
  maxSize: number;
  maxWaitMs: number;
}

export interface RateLimitConfig {
  perSecond: number;
  burst?: number;
}

export type EndpointStatus = 'active' | 'pending_verification' | 'paused' | 'disabled';

/**
 * The ownership challenge in a platform's own shape, e.g.
 * `{request: {eventName: 'verify', payload: {challenge: '{{challenge}}'}}, answerField: 'challenge'}`.
 */
export interface VerificationConfig {
  /** Any JSON (at most 8 KiB); `{{challenge}}` and `{{endpointId}}` in its strings are replaced. */
  request: unknown;
  /** Dot path of the answer's field holding hex HMAC-SHA256(key, challenge), e.g. `challenge` or `data.answer`. */
  answerField: string;
}

/** Every field an endpoint's creator may set. */
export interface EndpointInput {
  url: string;
  name?: string;
  description?: string;
  status?: 'active' | 'paused';
  eventTypes?: string[] | null;
  filter?: Record<string, unknown> | null;
  secret?: string;
  signature?: SignatureConfig;
  envelope?: 'standard' | 'none';
  format?: 'json' | 'xml';
  method?: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  timeoutMs?: number;
  retry?: RetryConfig;
  batch?: BatchConfig | null;
  rateLimit?: RateLimitConfig | null;
  overflow?: 'buffer' | 'drop-oldest';
  maxBacklog?: number | null;
  ordered?: boolean;
  requireVerification?: boolean;
  /** Absent or null: Herald's own challenge shape. */
  verification?: VerificationConfig | null;
  /** JavaScript defining `function handler(webhook) { …; return webhook; }` (at most 65,536 characters); null: none. */
  transform?: string | null;
  /**
   * Options of a broker URL (docs/destinations.md): amqp `exchange`, `routingKey`;
   * nats `subject`, `jetstream`; mqtt `topic`, `qos`; redis `stream`, `maxLen`.
   * Name options are templates of `{{type}}`, `{{tenantId}}`, `{{resource}}`. null for http(s) and `relay://`.
   */
  destination?: DestinationOptions | null;
  maxInFlight?: number;
}

/** A broker destination's options; which ones apply depends on the URL's scheme. */
export interface DestinationOptions {
  exchange?: string;
  routingKey?: string;
  subject?: string;
  jetstream?: boolean;
  topic?: string;
  qos?: 0 | 1 | 2;
  stream?: string;
  maxLen?: number;
}

export type EndpointPatch = Partial<EndpointInput>;

export interface Endpoint {
  id: string;
  tenantId: string;
  url: string;
  name: string;
  description: string;
  status: EndpointStatus;
  eventTypes: string[] | null;
  filter: Record<string, unknown> | null;
  signature: SignatureConfig;
  envelope: string;
  format: string;
  method: string;
  headers: Record<string, string>;
  timeoutMs: number;
  retry: RetryConfig;
  batch: BatchConfig | null;
  rateLimit: RateLimitConfig | null;
  overflow: string;
  maxBacklog: number | null;
  ordered: boolean;
  requireVerification: boolean;
  verification: VerificationConfig | null;
  /** The endpoint's transformation source, null when it has none (absent from servers before transforms). */
  transform?: string | null;
  /** The broker options, null for http(s) and relay endpoints (absent from servers before destinations). */
  destination?: DestinationOptions | null;
  maxInFlight: number;
  hasResources: boolean;
  verifiedAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedEndpoint extends Endpoint {
  secret: string;
}

export interface Resource {
  resourceId: string;
  createdAt: string;
}

export interface Attempt {
  id: string;
  requestId: string;
  eventId: string | null;
  endpointId: string | null;
  deliveryId: string | null;
  eventType: string;
  attemptNumber: number;
  trigger: AttemptTrigger;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number;
  error: { kind: string; message: string } | null;
  succeeded: boolean;
  createdAt: string;
}

/** What made an attempt: a delivery's own schedule, a retry by hand, or a test send / mock event. */
export type AttemptTrigger = 'scheduled' | 'manual' | 'test';

/**
 * The log's error kinds, each covering the kinds attempts record:
 * `timeout`; `connection` (connection_reset, network); `dns`; `tls`;
 * `refused` (connection_refused, private_network, invalid_url); `http`
 * (http_status, redirect); `transform`.
 */
export type ErrorKindFilter = 'timeout' | 'connection' | 'dns' | 'tls' | 'refused' | 'http' | 'transform';

export interface AttemptFilter {
  endpointId?: string;
  /** An event type, or a pattern as endpoints subscribe: `order.*`, `*.created` (no `@version`). */
  eventType?: string;
  eventId?: string;
  status?: 'succeeded' | 'failed';
  /** An exact code (404) or a class (5xx). */
  statusCode?: string;
  /** ISO time or epoch milliseconds; both ends inclusive. */
  since?: string;
  until?: string;
  /** A request id (`x-request-id`) or its beginning. */
  requestId?: string;
  /**
   * One trigger or several. Default: `scheduled` and `manual`; test sends and
   * mock events are listed only when `test` is asked for, and never counted
   * in a summary.
   */
  trigger?: AttemptTrigger | readonly AttemptTrigger[];
  /** Only attempts that failed with one of these kinds. */
  errorKind?: ErrorKindFilter | readonly ErrorKindFilter[];
}

export interface AttemptSummary {
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface IncomingEvent {
  type: string;
  data: unknown;
  version?: number;
  resource?: string | null;
  idempotencyKey?: string | null;
}

export interface Accepted {
  id: string;
  deliveries: string[];
}

export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface HeraldEventRecord {
  id: string;
  tenantId: string;
  type: string;
  version: number;
  resource: string | null;
  data: unknown;
  idempotencyKey: string | null;
  createdAt: string;
  deliveries: Delivery[];
}

/** What a Test Connection or mock event send answers. */
export interface TestResult {
  status: number | null;
  latencyMs: number;
  responseBody: string | null;
  responseHeaders: Record<string, string> | null;
  error: { kind: string; message: string } | null;
  requestId: string;
  attemptId: string;
}

export interface TestSendInput {
  /** The event type whose catalog example to send; `{"test": true}` when left out. */
  eventType?: string;
  version?: number;
  /** The data to send instead of the example. */
  payload?: unknown;
}

export interface VerifyResult {
  verified: boolean;
  /** The endpoint's status after the challenge. */
  status: string;
  /** Why the challenge failed. */
  error?: string;
  attemptId?: string;
}

export interface PortalSession {
  url: string;
  expiresAt: string;
}

export interface PortalBranding {
  name: string;
  logoUrl: string | null;
  accent: string;
  /** Where the portal's "go back" link leads once a link has ended (HERALD_PORTAL_RETURN_URL). */
  returnUrl?: string | null;
}

export interface RotatedSecret {
  secret: string;
  previousExpiresAt: string | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface SessionInfo {
  kind: 'admin' | 'tenant';
  /** `portal`: a customer-portal session (cannot send events, change the tenant or make keys). */
  role: 'admin' | 'tenant' | 'portal';
  tenantId: string | null;
  expiresAt: string | null;
  /** Portal sessions: the advanced endpoint fields they may set (HERALD_PORTAL_FIELDS); null: every field. */
  endpointFields?: string[] | null;
}
