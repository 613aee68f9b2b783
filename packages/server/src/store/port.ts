/**
 * The Store port: everything Herald keeps, behind one interface. Adapters
 * (`sqlite/`, later `postgres/`) implement it and pass the same contract
 * suite (`test/store/contract.ts`). Callers never ask which database it is.
 *
 * Rules every adapter keeps:
 * - Every method that writes more than one row is one transaction: it
 *   happens whole or not at all.
 * - Tenant-scoped reads take the tenant id and answer null / empty for
 *   another tenant's ids, so the API can answer 404 without extra checks.
 * - Lists are ordered newest first by id (ids are time-sortable) and paged
 *   with an opaque cursor: `nextCursor` is null on the last page.
 * - Times are epoch milliseconds.
 */

import type { CircuitState, FlowPolicy, FlowTransition } from '../domain/circuit.ts';
import type { ErrorKindFilter } from '../domain/log-filters.ts';
import type {
  ApiKey,
  Attempt,
  AttemptTrigger,
  Delivery,
  DeliveryStatus,
  Endpoint,
  EventType,
  HeraldEvent,
  NewApiKey,
  Page,
  PageRequest,
  Tenant,
} from '../domain/types.ts';

export type TenantPatch = Partial<Pick<Tenant, 'name' | 'metadata'>>;

export interface ApiKeyFilter {
  /** Only this tenant's tokens and portal sessions. */
  tenantId?: string;
  /** Revoked keys stay stored for audit; they are listed only when asked for. */
  includeRevoked?: boolean;
}

/**
 * What `putEnvAdminKey` did: `created` or `kept` (with the ids of the earlier
 * HERALD_API_KEY values it revoked), or nothing: `revoked` (this value was
 * revoked before and never becomes valid again), `tenant_key` (it is a
 * tenant's token).
 */
export type EnvKeyResult =
  | { status: 'created' | 'kept'; keyId: string; revokedIds: string[] }
  | { status: 'revoked'; keyId: string; revokedAt: number }
  | { status: 'tenant_key'; keyId: string };

export type EventTypePatch = Partial<Pick<EventType, 'group' | 'description' | 'deprecated'>>;

/** Every endpoint field the API may change. `id`, `tenantId`, `createdAt` never change. */
export type EndpointPatch = Partial<Omit<Endpoint, 'id' | 'tenantId' | 'createdAt' | 'hasResources'>>;

export interface NewEventType {
  name: string;
  group: string | null;
  description: string;
  version: number;
  schema: Record<string, unknown> | null;
  example: unknown;
  now: number;
}

/** An event to store with the ids of the endpoints it is owed to. */
export interface NewEvent {
  event: HeraldEvent;
  /** One delivery is created per endpoint, with a fresh `dlv_` id. */
  deliveries: {
    id: string;
    endpointId: string /** null = parked (endpoint not active) */;
    nextAttemptAt: number | null;
  }[];
  /**
   * Whether the request named the version (default true). An event whose
   * idempotency key was used before must be the same event or the insert
   * throws `idempotency_conflict` (store/idempotency.ts); an omitted version
   * matches whichever version the first one resolved to.
   */
  versionGiven?: boolean;
}

export interface InsertedEvent {
  event: HeraldEvent;
  deliveryIds: string[];
  /** True when the idempotency key matched an earlier event: nothing new was stored. */
  duplicate: boolean;
}

export interface EventFilter {
  type?: string;
  resource?: string;
  since?: number;
  until?: number;
}

export interface AttemptFilter {
  endpointId?: string;
  /**
   * An exact type or a pattern as endpoints subscribe (`order.*`, `*.created`;
   * no `@version`), checked by the caller (domain/log-type-pattern.ts).
   */
  eventType?: string;
  eventId?: string;
  /** succeeded = 2xx; failed = anything else. */
  status?: 'succeeded' | 'failed';
  /** Exact code (404) or a class (5 for 5xx). */
  statusCode?: { exact: number } | { class: number };
  since?: number;
  until?: number;
  /** A request id or its beginning (letters, digits, `_`, `-`): every attempt whose id starts so. */
  requestId?: string;
  /**
   * Only attempts made by these triggers. Absent: every trigger but `test`;
   * test sends are listed only when asked for, and never counted in summaries.
   */
  triggers?: readonly AttemptTrigger[];
  /** Only attempts that failed with an error of these kinds (see domain/log-filters.ts). */
  errorKinds?: readonly ErrorKindFilter[];
}

export interface AttemptSummary {
  total: number;
  succeeded: number;
  failed: number;
  /**
   * Deliveries still pending or in flight, by the filters a delivery has:
   * endpoint, event id, event type (patterns too), since/until on the
   * delivery's creation, and the trigger of its next attempt.
   */
  pending: number;
}

export interface ClaimRequest {
  /** The worker's id; leases are held in its name. */
  owner: string;
  limit: number;
  /** The lease lasts the endpoint's timeoutMs plus this margin, so it never ends mid-request. */
  leaseMs: number;
  now: number;
}

/** A delivery handed to a worker, with what it needs to send it. */
export interface CompletedAndClaimed {
  transitions: FlowTransition[];
  claimed: ClaimedDelivery[];
}

export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  /** This attempt's number (1 for the first). */
  attemptNumber: number;
  trigger: AttemptTrigger;
  eventType: string;
  eventVersion: number;
  resource: string | null;
  payload: string;
  eventCreatedAt: number;
  leaseExpiresAt: number;
}

/** What a worker decided after an attempt. */
export type DeliveryOutcome =
  | { status: 'succeeded' }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' }
  /** The endpoint's transform cancelled it: nothing was sent, and it is not retried. */
  | { status: 'cancelled' };

export interface CompletedAttempt {
  deliveryId: string;
  owner: string;
  /** Written even if the lease was lost meanwhile: the request happened. */
  attempt: Attempt;
  /** Applied only while `owner` still holds the lease. */
  outcome: DeliveryOutcome;
  /** Set when the response disables the endpoint (410 Gone). */
  disableEndpoint?: { reason: string };
}

export interface RetryRequest {
  tenantId: string;
  eventId: string;
  endpointId?: string;
  now: number;
}

export interface Store {
  /** Applies pending migrations; safe to call at every start. */
  migrate(): Promise<void>;
  /** Throws if the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // API keys ---------------------------------------------------------------
  /** Throws HeraldError('conflict') if the id or hash exists. */
  createApiKey(key: NewApiKey): Promise<void>;
  /** The key with this hash, revoked and expired ones included: the caller tells them apart. */
  findApiKeyByHash(hash: string): Promise<ApiKey | null>;
  /** Admin keys that neither expire nor are revoked: is there still a way in? */
  countAdminKeys(): Promise<number>;
  /** Newest first, paged by id. */
  listApiKeys(filter: ApiKeyFilter, page: PageRequest): Promise<Page<ApiKey>>;
  /**
   * Revokes a key that is not revoked yet (only if it is `tenantId`'s, when
   * given). Returns the revoked key, or null: unknown, another tenant's, or
   * revoked already.
   */
  revokeApiKey(id: string, now: number, scope?: { tenantId: string }): Promise<ApiKey | null>;
  /**
   * HERALD_API_KEY at start, in one transaction serialised against other
   * processes starting at once: stores `key` (source `env`) unless its hash
   * is stored already, then revokes every other unrevoked `env` key. Changes
   * nothing when the hash belongs to a revoked key or to a tenant's key.
   */
  putEnvAdminKey(key: NewApiKey, now: number): Promise<EnvKeyResult>;
  /** Records a use: lastUsedAt becomes `at` unless it is later already. */
  touchApiKey(id: string, at: number): Promise<void>;

  // Tenants ---------------------------------------------------------------
  /** Throws HeraldError('conflict') if the id exists. */
  createTenant(tenant: Tenant): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(page: PageRequest): Promise<Page<Tenant>>;
  updateTenant(id: string, patch: TenantPatch, now: number): Promise<Tenant | null>;
  /** Removes the tenant and everything it owns. Returns false if unknown. */
  deleteTenant(id: string): Promise<boolean>;

  // Event types -----------------------------------------------------------
  /**
   * Creates the type, or adds `version` to an existing one (updating group and
   * description when given). Throws HeraldError('conflict') if that version exists.
   */
  createEventType(input: NewEventType): Promise<EventType>;
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(filter: { group?: string }, page: PageRequest): Promise<Page<EventType>>;
  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null>;
  deleteEventType(name: string): Promise<boolean>;

  // Endpoints -------------------------------------------------------------
  createEndpoint(endpoint: Endpoint): Promise<Endpoint>;
  getEndpoint(tenantId: string, id: string): Promise<Endpoint | null>;
  /** For workers: endpoints by id regardless of tenant. Unknown ids are left out. */
  getEndpointsByIds(ids: string[]): Promise<Endpoint[]>;
  listEndpoints(tenantId: string, page: PageRequest): Promise<Page<Endpoint>>;
  /** Every endpoint of a tenant that could receive events (not disabled), for matching. */
  listReceivingEndpoints(tenantId: string): Promise<Endpoint[]>;
  /**
   * Updates fields. When the status becomes `active`, parked deliveries of the
   * endpoint become due at `now`.
   */
  updateEndpoint(tenantId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null>;
  /** Deletes the endpoint; its unfinished deliveries become `cancelled`. */
  deleteEndpoint(tenantId: string, id: string, now: number): Promise<boolean>;

  // Per-resource subscriptions (a table: scales to 100k+ per endpoint) -----
  /** Idempotent. Returns false if the endpoint is not the tenant's. */
  addResource(tenantId: string, endpointId: string, resourceId: string, now: number): Promise<boolean>;
  /** Returns false if it was not subscribed (or not the tenant's endpoint). */
  removeResource(tenantId: string, endpointId: string, resourceId: string): Promise<boolean>;
  hasResource(endpointId: string, resourceId: string): Promise<boolean>;
  /** Resource ids subscribed to the endpoint, ascending, paged by resource id. */
  listResources(
    endpointId: string,
    page: PageRequest,
  ): Promise<Page<{ resourceId: string; createdAt: number }>>;
  /** Of `endpointIds`, which subscribe to which of `resources`: pairs (endpointId, resourceId). */
  matchResources(
    endpointIds: string[],
    resources: string[],
  ): Promise<{ endpointId: string; resourceId: string }[]>;

  // Events and deliveries -------------------------------------------------
  /**
   * Stores the events and their deliveries in one transaction. An event whose
   * (tenantId, idempotencyKey) exists already is not stored again: its earlier
   * record is returned with `duplicate: true` when it is the same event, and
   * HeraldError `idempotency_conflict` is thrown (nothing of the call is
   * stored) when it is not.
   */
  insertEvents(events: NewEvent[]): Promise<InsertedEvent[]>;
  findEventByIdempotencyKey(tenantId: string, key: string): Promise<HeraldEvent | null>;
  getEvent(tenantId: string, id: string): Promise<HeraldEvent | null>;
  listEvents(tenantId: string, filter: EventFilter, page: PageRequest): Promise<Page<HeraldEvent>>;
  listDeliveriesForEvent(tenantId: string, eventId: string): Promise<Delivery[]>;
  getDelivery(id: string): Promise<Delivery | null>;
  countDeliveries(filter: { status?: DeliveryStatus; endpointId?: string }): Promise<number>;

  // The queue -------------------------------------------------------------
  /**
   * Claims up to `limit` due deliveries (pending, nextAttemptAt <= now), oldest
   * due first, for `owner` until now + endpoint.timeoutMs + leaseMs; each claim counts one attempt.
   * Never lets an endpoint exceed its `maxInFlight` (unexpired in_flight rows
   * count), and skips endpoints that are not active.
   */
  claimDeliveries(req: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Records attempts and applies outcomes, all in one transaction. */
  completeDeliveries(results: CompletedAttempt[], now: number): Promise<FlowTransition[]>;
  /**
   * A dispatcher round: `completeDeliveries(results, req.now)` then
   * `claimDeliveries(req)`. The SQLite adapter does both in one transaction
   * (one commit per round instead of two); if it fails, neither happened.
   */
  completeAndClaim(results: CompletedAttempt[], req: ClaimRequest): Promise<CompletedAndClaimed>;
  /** Gives back leased deliveries unsent (shutdown, endpoint not active): pending again, attempt not counted. */
  releaseDeliveries(owner: string, ids: string[], now: number): Promise<void>;
  /** In-flight deliveries whose lease ended (a worker died) become pending and due now. Returns how many. */
  reclaimExpiredLeases(now: number): Promise<number>;
  /** The earliest nextAttemptAt of any pending delivery, or null. */
  nextDueAt(): Promise<number | null>;
  /**
   * Manual retry: the event's deliveries (or the one to `endpointId`) that are
   * not in flight become pending, due now, with trigger `manual`. Returns the
   * delivery ids affected (empty if the event or endpoint is not the tenant's).
   */
  retryDeliveries(req: RetryRequest): Promise<string[]>;

  // The attempt log -------------------------------------------------------
  /** Records an attempt that belongs to no delivery (a test send). */
  insertAttempt(attempt: Attempt): Promise<void>;
  getAttempt(tenantId: string, id: string): Promise<Attempt | null>;
  /** Newest first by `createdAt`, ties by id descending; the cursor holds both, so pages are stable. */
  listAttempts(tenantId: string, filter: AttemptFilter, page: PageRequest): Promise<Page<Attempt>>;
  /**
   * Counts attempts matching the filter (never tests, whatever `triggers`
   * says), and deliveries still pending.
   */
  summarizeAttempts(tenantId: string, filter: AttemptFilter): Promise<AttemptSummary>;

  // Wake-ups ----------------------------------------------------------------
  /** Tells workers (in this process, or in others where the database can) that work is due. */
  notifyWork(): void;
  /** Subscribes to work notifications. Returns an unsubscribe function. */
  onWork(listener: () => void): () => void;
  /**
   * Subscribes to overflow drops made by this process (drop-oldest trims
   * during insertEvents), after they are committed, for metrics.
   */
  onDropped(listener: (count: number) => void): () => void;

  // Batching ----------------------------------------------------------------
  /**
   * Claims up to `limit` batches for endpoints with `batch` set (whose
   * deliveries `claimDeliveries` never takes): due retries of earlier batches,
   * batches whose lease ended, and new ones of up to `maxSize` of the oldest
   * unbatched deliveries, formed once `maxSize` are waiting or the oldest has
   * waited `maxWaitMs`. A batch counts as one request against `maxInFlight`.
   * Each claim counts one attempt of the batch and of every delivery in it.
   */
  claimBatches(req: ClaimRequest): Promise<ClaimedBatch[]>;
  /**
   * Records each batch's attempt and applies its outcome to the batch and all its deliveries, in one
   * transaction; each attempt also counts for its endpoint's circuit. Returns the FlowTransitions it caused.
   */
  completeBatches(results: CompletedBatch[], now: number): Promise<FlowTransition[]>;
  /** Gives back leased batches unsent: pending again, due now, attempt not counted. */
  releaseBatches(owner: string, ids: string[], now: number): Promise<void>;

  // Flow control --------------------------------------------------------------
  // (completeDeliveries above returns the FlowTransitions its transaction caused.)
  /** Circuit-breaker and auto-disable thresholds for completions in this process. */
  configureFlow(policy: FlowPolicy): void;
  /** Circuit state of the endpoints (closed for those that never failed), for the API. */
  getCircuits(endpointIds: string[]): Promise<Map<string, CircuitSummary>>;
}

// Flow control ----------------------------------------------------------------

export interface CircuitSummary {
  state: CircuitState;
  /** Consecutive failed attempts. */
  failures: number;
  openedAt: number | null;
}

// Batching ------------------------------------------------------------------

/** A batch handed to a worker: one request carrying every event of `deliveries`, oldest first. */
export interface ClaimedBatch {
  /** `msg_…`: the request's `webhook-id`, the same on every retry of the batch. */
  id: string;
  tenantId: string;
  endpointId: string;
  attemptNumber: number;
  leaseExpiresAt: number;
  deliveries: ClaimedDelivery[];
}

export interface CompletedBatch {
  batchId: string;
  owner: string;
  /** deliveryId null, eventId the first event's; written even if the lease was lost meanwhile. */
  attempt: Attempt;
  /** The events the request carried, in body order. */
  eventIds: string[];
  /** Applied to the batch and all its deliveries, only while `owner` still holds the batch's lease. */
  outcome: DeliveryOutcome;
  disableEndpoint?: { reason: string };
}

/** What the attempt log adds to an attempt that sent a batch. */
export interface BatchAttemptInfo {
  batchId: string | null;
  eventIds: string[];
}
