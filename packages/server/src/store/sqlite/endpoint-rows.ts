/** Endpoint rows: the widest table, most of it JSON columns. */
import type {
  BodyFormat,
  Endpoint,
  EndpointStatus,
  Envelope,
  HttpMethod,
  OverflowPolicy,
} from '../../domain/types.ts';
import { fromJson, toJson } from './db.ts';

export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  name: string;
  description: string;
  status: string;
  event_types: string | null;
  filter: string | null;
  secrets: string;
  signature: string;
  envelope: string;
  format: string;
  method: string;
  headers: string;
  timeout_ms: number;
  retry: string;
  batch: string | null;
  rate_limit: string | null;
  overflow: string;
  max_backlog: number | null;
  ordered: number;
  require_verification: number;
  max_in_flight: number;
  has_resources: number;
  verified_at: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export const ENDPOINT_COLUMNS = [
  'id',
  'tenant_id',
  'url',
  'name',
  'description',
  'status',
  'event_types',
  'filter',
  'secrets',
  'signature',
  'envelope',
  'format',
  'method',
  'headers',
  'timeout_ms',
  'retry',
  'batch',
  'rate_limit',
  'overflow',
  'max_backlog',
  'ordered',
  'require_verification',
  'max_in_flight',
  'has_resources',
  'verified_at',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof EndpointRow)[];

export const endpointFromRow = (r: EndpointRow): Endpoint => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  name: r.name,
  description: r.description,
  status: r.status as EndpointStatus,
  eventTypes: fromJson<string[]>(r.event_types),
  filter: fromJson<Record<string, unknown>>(r.filter),
  secrets: JSON.parse(r.secrets) as Endpoint['secrets'],
  signature: JSON.parse(r.signature) as Endpoint['signature'],
  envelope: r.envelope as Envelope,
  format: r.format as BodyFormat,
  method: r.method as HttpMethod,
  headers: JSON.parse(r.headers) as Record<string, string>,
  timeoutMs: r.timeout_ms,
  retry: JSON.parse(r.retry) as Endpoint['retry'],
  batch: fromJson<NonNullable<Endpoint['batch']>>(r.batch),
  rateLimit: fromJson<NonNullable<Endpoint['rateLimit']>>(r.rate_limit),
  overflow: r.overflow as OverflowPolicy,
  maxBacklog: r.max_backlog,
  ordered: r.ordered === 1,
  requireVerification: r.require_verification === 1,
  maxInFlight: r.max_in_flight,
  hasResources: r.has_resources === 1,
  verifiedAt: r.verified_at,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const endpointToRow = (e: Endpoint): EndpointRow => ({
  id: e.id,
  tenant_id: e.tenantId,
  url: e.url,
  name: e.name,
  description: e.description,
  status: e.status,
  event_types: toJson(e.eventTypes),
  filter: toJson(e.filter),
  secrets: JSON.stringify(e.secrets),
  signature: JSON.stringify(e.signature),
  envelope: e.envelope,
  format: e.format,
  method: e.method,
  headers: JSON.stringify(e.headers ?? {}),
  timeout_ms: e.timeoutMs,
  retry: JSON.stringify(e.retry),
  batch: toJson(e.batch),
  rate_limit: toJson(e.rateLimit),
  overflow: e.overflow,
  max_backlog: e.maxBacklog ?? null,
  ordered: e.ordered ? 1 : 0,
  require_verification: e.requireVerification ? 1 : 0,
  max_in_flight: e.maxInFlight,
  has_resources: e.hasResources ? 1 : 0,
  verified_at: e.verifiedAt ?? null,
  disabled_reason: e.disabledReason ?? null,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
});
