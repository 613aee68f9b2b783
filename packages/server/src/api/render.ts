/**
 * Domain records as the API shows them: times as ISO strings, payloads parsed,
 * secrets left out, URLs with verification keys redacted.
 */
import type { Static } from '@sinclair/typebox';
import { maskUserinfo, redactUrl, VERIFICATION_KEY_PLACEHOLDER } from '../domain/redact.ts';
import type { Attempt, Delivery, Endpoint, EventType, HeraldEvent, Tenant } from '../domain/types.ts';
import type { BatchAttemptInfo, CircuitSummary } from '../store/port.ts';
import type { AttemptSchema } from './schemas/attempts.ts';
import type { EndpointSchema } from './schemas/endpoints.ts';
import type { EventTypeSchema } from './schemas/event-types.ts';
import type { DeliverySchema, EventSchema } from './schemas/events.ts';
import type { TenantSchema } from './schemas/tenants.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function renderTenant(t: Tenant): Static<typeof TenantSchema> {
  return {
    id: t.id,
    name: t.name,
    metadata: t.metadata,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

export function renderEventType(t: EventType): Static<typeof EventTypeSchema> {
  return {
    name: t.name,
    group: t.group,
    description: t.description,
    deprecated: t.deprecated,
    latestVersion: t.versions[t.versions.length - 1]?.version ?? 1,
    versions: t.versions.map((v) => ({
      version: v.version,
      schema: v.schema,
      example: v.example ?? null,
      createdAt: iso(v.createdAt),
    })),
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

/** An endpoint's URL as the API shows it: the verification key and userinfo passwords (a broker's) masked. */
export function displayUrl(url: string): string {
  return url.includes(VERIFICATION_KEY_PLACEHOLDER) || /%7BVerificationKey%7D/i.test(url)
    ? redactUrl(url)
    : maskUserinfo(url);
}

const CLOSED_CIRCUIT: CircuitSummary = { state: 'closed', failures: 0, openedAt: null };

export function renderEndpoint(e: Endpoint, circuit = CLOSED_CIRCUIT): Static<typeof EndpointSchema> {
  return {
    circuit: { state: circuit.state, failures: circuit.failures, openedAt: isoOrNull(circuit.openedAt) },
    id: e.id,
    tenantId: e.tenantId,
    url: displayUrl(e.url),
    name: e.name,
    description: e.description,
    status: e.status,
    eventTypes: e.eventTypes,
    filter: e.filter,
    signature: e.signature,
    envelope: e.envelope,
    format: e.format,
    method: e.method,
    headers: e.headers,
    timeoutMs: e.timeoutMs,
    retry: e.retry,
    batch: e.batch,
    rateLimit: e.rateLimit,
    overflow: e.overflow,
    maxBacklog: e.maxBacklog,
    ordered: e.ordered,
    requireVerification: e.requireVerification,
    verification: e.verification,
    transform: e.transform,
    destination: e.destination,
    maxInFlight: e.maxInFlight,
    hasResources: e.hasResources,
    verifiedAt: isoOrNull(e.verifiedAt),
    disabledReason: e.disabledReason,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

export function renderDelivery(d: Delivery): Static<typeof DeliverySchema> {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: d.eventId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: isoOrNull(d.nextAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    completedAt: isoOrNull(d.completedAt),
  };
}

export function renderEvent(e: HeraldEvent, deliveries: Delivery[]): Static<typeof EventSchema> {
  return {
    id: e.id,
    tenantId: e.tenantId,
    type: e.type,
    version: e.version,
    resource: e.resource,
    data: JSON.parse(e.payload) as unknown,
    idempotencyKey: e.idempotencyKey,
    createdAt: iso(e.createdAt),
    deliveries: deliveries.map(renderDelivery),
  };
}

/** `batchId` and `eventIds` come with attempts the store returns; an attempt built elsewhere falls back to its event. */
export function renderAttempt(a: Attempt & Partial<BatchAttemptInfo>): Static<typeof AttemptSchema> {
  return {
    id: a.id,
    requestId: a.requestId,
    eventId: a.eventId,
    endpointId: a.endpointId,
    deliveryId: a.deliveryId,
    batchId: a.batchId ?? null,
    eventIds: a.eventIds ?? (a.eventId === null ? [] : [a.eventId]),
    eventType: a.eventType,
    attemptNumber: a.attemptNumber,
    trigger: a.trigger,
    url: redactUrl(a.url),
    method: a.method,
    requestHeaders: a.requestHeaders,
    requestBody: a.requestBody,
    responseStatus: a.responseStatus,
    responseHeaders: a.responseHeaders,
    responseBody: a.responseBody,
    durationMs: a.durationMs,
    error: a.error,
    succeeded: a.succeeded,
    createdAt: iso(a.createdAt),
  };
}
