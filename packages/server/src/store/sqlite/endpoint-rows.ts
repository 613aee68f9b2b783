/** How SQLite writes endpoint rows. The row type and its mapping to an endpoint are shared: ../endpoint-rows.ts. */
import type { Endpoint } from '../../domain/types.ts';
import type { EndpointRow } from '../endpoint-rows.ts';
import { toJson } from '../json.ts';

export * from '../endpoint-rows.ts';

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
  verification: toJson(e.verification),
  transform: e.transform ?? null,
  destination: toJson(e.destination ?? null),
  max_in_flight: e.maxInFlight,
  has_resources: e.hasResources ? 1 : 0,
  verified_at: e.verifiedAt ?? null,
  disabled_reason: e.disabledReason ?? null,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
});
