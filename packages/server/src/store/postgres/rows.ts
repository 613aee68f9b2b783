/**
 * How PostgreSQL writes attempt rows (many at once, through unnest).
 * The row types and their mapping to entities are shared: ../rows.ts.
 */
import type { Attempt } from '../../domain/types.ts';
import { toJson } from '../json.ts';
import { pushRow } from './db.ts';

export * from '../rows.ts';

const ATTEMPT_COLUMNS = `id, request_id, tenant_id, delivery_id, event_id, endpoint_id, event_type,
  attempt_number, trigger, url, method, request_headers, request_body, response_status, response_headers,
  response_body, duration_ms, error_kind, error_message, succeeded, created_at`;

/** Column types of the attempts table, in ATTEMPT_COLUMNS order, for multi-row inserts via unnest. */
const ATTEMPT_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'text',
  'text',
  'text',
  'text',
  'int',
  'text',
  'text',
  'int',
  'text',
  'text',
  'bool',
  'int8',
];

/** Inserts many attempts in one statement: one array parameter per column. */
export const INSERT_ATTEMPTS_SQL = `INSERT INTO attempts (${ATTEMPT_COLUMNS})
  SELECT * FROM unnest(${ATTEMPT_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

/** The column arrays for INSERT_ATTEMPTS_SQL. */
export function attemptColumns(attempts: Attempt[]): unknown[][] {
  const columns: unknown[][] = ATTEMPT_TYPES.map(() => []);
  for (const a of attempts) {
    const values = [
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
      a.succeeded,
      a.createdAt,
    ];
    pushRow(columns, values);
  }
  return columns;
}
