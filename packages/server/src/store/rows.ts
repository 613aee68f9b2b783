/**
 * Rows as both adapters read them, and their mapping to Herald's entities.
 * JSON columns hold compact JSON text in both databases; flags are 0/1 in
 * SQLite and booleans in PostgreSQL, so they are read with Boolean().
 */
import { parseReport } from '../domain/retry-report.ts';
import type {
  ApiKey,
  Attempt,
  AttemptErrorKind,
  AttemptTrigger,
  Delivery,
  DeliveryStatus,
  EventTypeVersion,
  HeraldEvent,
  HttpMethod,
  KeyRole,
  KeySource,
  NewApiKey,
  Tenant,
} from '../domain/types.ts';
import { fromJson, toJson } from './json.ts';
import type { Job, JobKind, JobParams, JobStatus } from './ops-port.ts';

export interface ApiKeyRow {
  id: string;
  hash: string;
  tenant_id: string | null;
  name: string;
  created_at: number;
  expires_at: number | null;
  role: string;
  source: string;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const apiKeyFromRow = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  hash: r.hash,
  tenantId: r.tenant_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  // A row with a tenant never acts as admin, whatever its role column says.
  role: r.tenant_id === null ? 'admin' : r.role === 'portal' ? 'portal' : 'tenant',
  source: r.source as KeySource,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** The role a new key is stored with: only a key without a tenant is `admin`. */
export const roleOf = (key: NewApiKey): KeyRole =>
  key.tenantId === null ? 'admin' : key.role === 'portal' ? 'portal' : 'tenant';

export interface TenantRow {
  id: string;
  name: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export const tenantFromRow = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface EventTypeRow {
  name: string;
  group_name: string | null;
  description: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  deprecated: number | boolean;
  created_at: number;
  updated_at: number;
}

export interface EventTypeVersionRow {
  name: string;
  version: number;
  schema: string | null;
  example: string | null;
  created_at: number;
}

export const versionFromRow = (r: EventTypeVersionRow): EventTypeVersion => ({
  version: r.version,
  schema: fromJson<Record<string, unknown>>(r.schema),
  example: fromJson<unknown>(r.example),
  createdAt: r.created_at,
});

export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  version: number;
  resource: string | null;
  payload: string;
  idempotency_key: string | null;
  created_at: number;
}

export const eventFromRow = (r: EventRow): HeraldEvent => ({
  id: r.id,
  tenantId: r.tenant_id,
  type: r.type,
  version: r.version,
  resource: r.resource,
  payload: r.payload,
  idempotencyKey: r.idempotency_key,
  createdAt: r.created_at,
});

/** An event's column values: id, tenant_id, type, version, resource, payload, idempotency_key, created_at. */
export const eventValues = (e: HeraldEvent): unknown[] => [
  e.id,
  e.tenantId,
  e.type,
  e.version,
  e.resource,
  e.payload,
  e.idempotencyKey,
  e.createdAt,
];

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export const deliveryFromRow = (r: DeliveryRow): Delivery => ({
  id: r.id,
  tenantId: r.tenant_id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  status: r.status as DeliveryStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  completedAt: r.completed_at,
});

export interface AttemptRow {
  id: string;
  request_id: string;
  tenant_id: string;
  delivery_id: string | null;
  event_id: string | null;
  endpoint_id: string | null;
  event_type: string;
  attempt_number: number;
  trigger: string;
  url: string;
  method: string;
  request_headers: string;
  request_body: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  duration_ms: number;
  error_kind: string | null;
  error_message: string | null;
  succeeded: number | boolean;
  created_at: number;
}

export const attemptFromRow = (r: AttemptRow): Attempt => ({
  id: r.id,
  requestId: r.request_id,
  tenantId: r.tenant_id,
  deliveryId: r.delivery_id,
  eventId: r.event_id,
  endpointId: r.endpoint_id,
  eventType: r.event_type,
  attemptNumber: r.attempt_number,
  trigger: r.trigger as AttemptTrigger,
  url: r.url,
  method: r.method as HttpMethod,
  requestHeaders: JSON.parse(r.request_headers) as Record<string, string>,
  requestBody: r.request_body,
  responseStatus: r.response_status,
  responseHeaders: fromJson<Record<string, string>>(r.response_headers),
  responseBody: r.response_body,
  durationMs: r.duration_ms,
  error:
    r.error_kind === null ? null : { kind: r.error_kind as AttemptErrorKind, message: r.error_message ?? '' },
  succeeded: Boolean(r.succeeded),
  createdAt: r.created_at,
});

export interface JobRow {
  id: string;
  tenant_id: string;
  kind: string;
  params: string;
  status: string;
  processed: number;
  affected: number;
  cursor: string | null;
  error: string | null;
  /** JSON RetryReport; absent on rows read before migration 0015 (SQLite) / 0012 (PostgreSQL). */
  report?: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export const jobFromRow = (r: JobRow): Job => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as JobKind,
  params: JSON.parse(r.params) as JobParams,
  status: r.status as JobStatus,
  progress: { processed: r.processed, affected: r.affected },
  cursor: r.cursor,
  error: r.error,
  report: parseReport(r.report),
  leaseOwner: r.lease_owner,
  leaseExpiresAt: r.lease_expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** The attempts table's columns, in the order attemptValues gives them. */
export const ATTEMPT_COLUMN_NAMES = [
  'id',
  'request_id',
  'tenant_id',
  'delivery_id',
  'event_id',
  'endpoint_id',
  'event_type',
  'attempt_number',
  'trigger',
  'url',
  'method',
  'request_headers',
  'request_body',
  'response_status',
  'response_headers',
  'response_body',
  'duration_ms',
  'error_kind',
  'error_message',
  'succeeded',
  'created_at',
] as const;

/**
 * An attempt's column values in ATTEMPT_COLUMN_NAMES order; `flag` writes the
 * boolean the way the database stores it (0/1 or a boolean).
 */
export const attemptValues = (a: Attempt, flag: (value: boolean) => unknown): unknown[] => [
  a.id,
  a.requestId,
  a.tenantId,
  a.deliveryId,
  a.eventId,
  a.endpointId,
  a.eventType,
  a.attemptNumber,
  a.trigger,
  a.url,
  a.method,
  JSON.stringify(a.requestHeaders ?? {}),
  a.requestBody,
  a.responseStatus,
  toJson(a.responseHeaders),
  a.responseBody,
  Math.round(a.durationMs),
  a.error?.kind ?? null,
  a.error?.message ?? null,
  flag(a.succeeded),
  a.createdAt,
];
