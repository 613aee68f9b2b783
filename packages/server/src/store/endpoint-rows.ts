/**
 * Endpoint rows, the widest table (most of it JSON text), as both adapters
 * read them; flags are 0/1 in SQLite and booleans in PostgreSQL.
 */
import type {
  BodyFormat,
  Endpoint,
  EndpointStatus,
  Envelope,
  HttpMethod,
  OverflowPolicy,
} from '../domain/types.ts';
import { fromJson } from './json.ts';
import type { EndpointPatch } from './port.ts';

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
  ordered: number | boolean;
  require_verification: number | boolean;
  /** JSON text, NULL for Herald's own challenge (migrations 0010 SQLite, 0007 PostgreSQL). */
  verification: string | null;
  transform: string | null;
  /** JSON text, NULL for http(s) (migrations 0016 SQLite, 0013 PostgreSQL). */
  destination: string | null;
  max_in_flight: number;
  has_resources: number | boolean;
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
  'verification',
  'transform',
  'destination',
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
  ordered: Boolean(r.ordered),
  requireVerification: Boolean(r.require_verification),
  verification: fromJson<NonNullable<Endpoint['verification']>>(r.verification),
  transform: r.transform ?? null,
  destination: fromJson<Record<string, unknown>>(r.destination ?? null),
  maxInFlight: r.max_in_flight,
  hasResources: Boolean(r.has_resources),
  verifiedAt: r.verified_at,
  disabledReason: r.disabled_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * The endpoint a patch makes of `current`: an absent field keeps its value,
 * an explicit null clears it. Its identity, creation time and resource flag
 * are never patched.
 */
export function patchedEndpoint(current: Endpoint, patch: EndpointPatch, now: number): Endpoint {
  const next: Endpoint = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
  }
  next.id = current.id;
  next.tenantId = current.tenantId;
  next.createdAt = current.createdAt;
  next.hasResources = current.hasResources;
  next.updatedAt = now;
  return next;
}
