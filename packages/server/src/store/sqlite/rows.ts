/**
 * How SQLite writes attempt rows.
 * The row types and their mapping to entities are shared: ../rows.ts.
 */
import type { Attempt } from '../../domain/types.ts';
import { toJson } from '../json.ts';

export * from '../rows.ts';

/** Positional parameters in the column order of `INSERT_ATTEMPT_SQL`. */
export const attemptParams = (a: Attempt): unknown[] => [
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
  a.succeeded ? 1 : 0,
  a.createdAt,
];

export const INSERT_ATTEMPT_SQL = `INSERT INTO attempts (id, request_id, tenant_id, delivery_id, event_id, endpoint_id,
  event_type, attempt_number, trigger, url, method, request_headers, request_body, response_status,
  response_headers, response_body, duration_ms, error_kind, error_message, succeeded, created_at)
  VALUES (${Array.from({ length: 21 }, () => '?').join(', ')})`;
