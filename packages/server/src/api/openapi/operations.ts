/**
 * Every documented route's `operationId`, keyed by "METHOD /path" as Fastify
 * spells it. Generated clients name their methods after these ids, so they
 * are part of the API: renaming one breaks callers. `registerOpenApi` throws
 * at build time when a documented route is missing here, so a new route
 * cannot ship without a name a client can use.
 */
import type { ErrorStatus } from './responses.ts';

export interface OperationDoc {
  /** camelCase, verb first: what a generated client's method is called. */
  operationId: string;
  /** Errors the route's shape does not imply (see `errorStatuses`): 409 where an id or version may be taken. */
  errors?: readonly ErrorStatus[];
  /** The success body's media type when it is not JSON. */
  produces?: string;
}

export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'GET /healthz': { operationId: 'getHealth' },
  'GET /readyz': { operationId: 'getReadiness', errors: [503] },
  'GET /metrics': { operationId: 'getMetrics', errors: [503], produces: 'text/plain' },
  'GET /v1/queue': { operationId: 'getQueueStats' },

  'POST /v1/event-types': { operationId: 'createEventType', errors: [409] },
  'GET /v1/event-types': { operationId: 'listEventTypes' },
  'GET /v1/event-catalog': { operationId: 'getEventCatalog' },
  'GET /v1/event-types/:name': { operationId: 'getEventType' },
  'PATCH /v1/event-types/:name': { operationId: 'updateEventType' },
  'DELETE /v1/event-types/:name': { operationId: 'deleteEventType' },

  'POST /v1/tenants': { operationId: 'createTenant', errors: [409] },
  'GET /v1/tenants': { operationId: 'listTenants' },
  'GET /v1/tenants/:tid': { operationId: 'getTenant' },
  'PATCH /v1/tenants/:tid': { operationId: 'updateTenant' },
  'DELETE /v1/tenants/:tid': { operationId: 'deleteTenant' },
  'POST /v1/tenants/:tid/tokens': { operationId: 'createTenantToken' },
  'GET /v1/tenants/:tid/tokens': { operationId: 'listTenantTokens' },
  'DELETE /v1/tenants/:tid/tokens/:id': { operationId: 'revokeTenantToken' },

  'GET /v1/api-keys': { operationId: 'listApiKeys' },
  'DELETE /v1/api-keys/:id': { operationId: 'revokeApiKey' },

  'POST /v1/tenants/:tid/endpoints': { operationId: 'createEndpoint' },
  'GET /v1/tenants/:tid/endpoints': { operationId: 'listEndpoints' },
  'GET /v1/tenants/:tid/endpoints/:eid': { operationId: 'getEndpoint' },
  'PATCH /v1/tenants/:tid/endpoints/:eid': { operationId: 'updateEndpoint' },
  'DELETE /v1/tenants/:tid/endpoints/:eid': { operationId: 'deleteEndpoint' },
  'GET /v1/tenants/:tid/endpoints/:eid/secret': { operationId: 'getEndpointSecret' },
  'POST /v1/tenants/:tid/endpoints/:eid/secret/rotate': { operationId: 'rotateEndpointSecret' },
  'POST /v1/tenants/:tid/endpoints/test': { operationId: 'testEndpointConfig' },
  'POST /v1/tenants/:tid/endpoints/:eid/test': { operationId: 'testEndpoint' },
  'POST /v1/tenants/:tid/endpoints/:eid/verify': { operationId: 'verifyEndpoint', errors: [409] },
  'GET /v1/tenants/:tid/endpoints/health': { operationId: 'listEndpointHealth' },
  'GET /v1/tenants/:tid/endpoints/:eid/health': { operationId: 'getEndpointHealth' },
  'POST /v1/tenants/:tid/endpoints/:eid/circuit/reset': { operationId: 'resetEndpointCircuit' },
  'POST /v1/tenants/:tid/endpoints/:eid/retry-now': { operationId: 'retryEndpointNow' },
  'POST /v1/tenants/:tid/transforms/try': { operationId: 'tryTransform' },
  'GET /v1/tenants/:tid/endpoints/:eid/resources': { operationId: 'listResourceSubscriptions' },
  'GET /v1/tenants/:tid/endpoints/:eid/resources/:rid': { operationId: 'getResourceSubscription' },
  'PUT /v1/tenants/:tid/endpoints/:eid/resources/:rid': { operationId: 'subscribeResource' },
  'DELETE /v1/tenants/:tid/endpoints/:eid/resources/:rid': { operationId: 'unsubscribeResource' },
  // 409: the endpoint's url is not relay://.
  'GET /v1/tenants/:tid/endpoints/:eid/listen': {
    operationId: 'listenEndpoint',
    errors: [409],
    produces: 'text/event-stream',
  },
  'POST /v1/tenants/:tid/endpoints/:eid/listen/:id': { operationId: 'answerListenDelivery' },

  // 409 idempotency_conflict: the idempotency key was used for a different event.
  'POST /v1/tenants/:tid/events': { operationId: 'sendEvent', errors: [409] },
  'POST /v1/tenants/:tid/events/batch': { operationId: 'sendEventBatch', errors: [409] },
  'GET /v1/tenants/:tid/events': { operationId: 'listEvents' },
  'GET /v1/tenants/:tid/events/:id': { operationId: 'getEvent' },
  // 409: the delivery to the named endpoint is still in flight.
  'POST /v1/tenants/:tid/events/:id/retry': { operationId: 'retryEvent', errors: [409] },

  'GET /v1/tenants/:tid/attempts': { operationId: 'listAttempts' },
  'GET /v1/tenants/:tid/attempts/summary': { operationId: 'getAttemptSummary' },
  'GET /v1/tenants/:tid/attempts/:id': { operationId: 'getAttempt' },

  'GET /v1/tenants/:tid/jobs': { operationId: 'listJobs' },
  'GET /v1/tenants/:tid/jobs/:id': { operationId: 'getJob' },
  'POST /v1/tenants/:tid/endpoints/:eid/recover': { operationId: 'recoverEndpoint' },
  'POST /v1/tenants/:tid/endpoints/:eid/replay': { operationId: 'replayEndpoint' },
  'POST /v1/tenants/:tid/attempts/retry': { operationId: 'retryAttempts' },

  'GET /v1/tenants/:tid/stats': { operationId: 'getTenantStats' },
  'GET /v1/tenants/:tid/endpoints/:eid/stats': { operationId: 'getEndpointStats' },

  'POST /v1/tenants/:tid/portal-sessions': { operationId: 'createPortalSession' },
  'GET /v1/portal/session': { operationId: 'getPortalSession' },
  'DELETE /v1/portal/session': { operationId: 'endPortalSession' },
  'GET /v1/portal/branding': { operationId: 'getPortalBranding' },
};

/** The document's tags, in the order readers meet them; a route's one tag must be among them. */
export const TAGS: readonly { name: string; description: string }[] = [
  { name: 'tenants', description: 'Tenants (the customers you send webhooks for) and their API tokens' },
  {
    name: 'api keys',
    description: 'Every key Herald accepts (admin keys, tenant tokens, portal sessions): list and revoke',
  },
  { name: 'event types', description: 'The catalog of event types: versions, JSON Schemas, examples' },
  {
    name: 'endpoints',
    description:
      "A tenant's webhook URLs: configuration, secrets, tests, verification, resource subscriptions",
  },
  { name: 'events', description: 'Sending events, reading them back with their deliveries, retrying' },
  { name: 'attempts', description: 'The delivery log: every request Herald made and the answer it got' },
  { name: 'jobs', description: 'Background recovery: recover, replay and bulk retry' },
  { name: 'stats', description: 'Delivery counts and latencies over time' },
  { name: 'portal', description: 'The customer portal: sign-in links, sessions, branding' },
  { name: 'operations', description: 'Health, readiness, queue depth and Prometheus metrics' },
];

const OPERATION_ID = /^[a-z][a-zA-Z0-9]*$/;

/** Throws unless every id is camelCase and used once: two operations with one id break generated clients. */
export function checkOperations(operations: Readonly<Record<string, OperationDoc>>): void {
  const owner = new Map<string, string>();
  for (const [route, { operationId }] of Object.entries(operations)) {
    if (!OPERATION_ID.test(operationId)) {
      throw new Error(`operationId '${operationId}' of ${route} is not camelCase (e.g. listEndpoints)`);
    }
    const other = owner.get(operationId);
    if (other !== undefined) throw new Error(`operationId '${operationId}' is used by ${other} and ${route}`);
    owner.set(operationId, route);
  }
}
