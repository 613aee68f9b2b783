/** How PostgreSQL writes endpoint rows. The row type and its mapping to an endpoint are shared: ../endpoint-rows.ts. */
import type { Endpoint } from '../../domain/types.ts';
import { toJson } from '../json.ts';

export * from '../endpoint-rows.ts';

export const endpointValues = (e: Endpoint): unknown[] => [
  e.id,
  e.tenantId,
  e.url,
  e.name,
  e.description,
  e.status,
  toJson(e.eventTypes),
  toJson(e.filter),
  JSON.stringify(e.secrets),
  JSON.stringify(e.signature),
  e.envelope,
  e.format,
  e.method,
  JSON.stringify(e.headers ?? {}),
  e.timeoutMs,
  JSON.stringify(e.retry),
  toJson(e.batch),
  toJson(e.rateLimit),
  e.overflow,
  e.maxBacklog ?? null,
  e.ordered,
  e.requireVerification,
  toJson(e.verification),
  e.transform ?? null,
  toJson(e.destination ?? null),
  e.maxInFlight,
  e.hasResources,
  e.verifiedAt ?? null,
  e.disabledReason ?? null,
  e.createdAt,
  e.updatedAt,
];
