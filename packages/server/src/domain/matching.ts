/**
 * Does an endpoint receive an event? Decided once, at accept time, so the
 * set of deliveries stored with an event is exactly who is owed it.
 *
 * Paused and pending-verification endpoints do receive: their deliveries are
 * parked until the endpoint is active, not skipped. Only disabled endpoints
 * receive nothing.
 */
import { evaluateFilter } from './filter.ts';
import { matchesEventType } from './patterns.ts';
import type { Endpoint } from './types.ts';

export interface MatchableEvent {
  id: string;
  type: string;
  version: number;
  resource: string | null;
  /** The event's data, parsed. */
  data: unknown;
  createdAt: number;
}

/** The document payload filters are evaluated on: the standard envelope's fields. */
export function filterDocument(event: MatchableEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    version: event.version,
    resource: event.resource,
    timestamp: new Date(event.createdAt).toISOString(),
    data: event.data,
  };
}

/**
 * `resourceSubscribed`: whether the event's resource is subscribed to this
 * endpoint (the caller looks that up in bulk). It only matters when the
 * endpoint has resource subscriptions; then events without a resource, or
 * for another resource, are not received.
 */
export function endpointReceives(
  endpoint: Pick<Endpoint, 'status' | 'eventTypes' | 'filter' | 'hasResources'>,
  event: MatchableEvent,
  resourceSubscribed: boolean,
): boolean {
  if (endpoint.status === 'disabled') return false;
  if (!matchesEventType(endpoint.eventTypes, event.type, event.version)) return false;
  if (endpoint.hasResources && (event.resource === null || !resourceSubscribed)) return false;
  if (endpoint.filter !== null && !evaluateFilter(endpoint.filter, filterDocument(event))) return false;
  return true;
}
