/**
 * Builders for the store contract suite: complete entities written only with
 * the port's types, so every adapter is fed the same data.
 */
import { expect } from 'vitest';
import { HeraldError } from '../../src/domain/errors.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Attempt, Endpoint, HeraldEvent, Tenant } from '../../src/domain/types.ts';
import type {
  ClaimedDelivery,
  CompletedAttempt,
  DeliveryOutcome,
  NewEvent,
  Store,
} from '../../src/store/port.ts';

/** A fixed epoch: tests pass times explicitly, never the wall clock. */
export const T0 = 1_750_000_000_000;

/** The store under test, fresh for each test. */
export type StoreRef = () => Store;

export function tenantFixture(id: string, now = T0, overrides: Partial<Tenant> = {}): Tenant {
  return {
    id,
    name: `Tenant ${id}`,
    metadata: { plan: 'pro' },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function endpointFixture(tenantId: string, overrides: Partial<Endpoint> = {}, now = T0): Endpoint {
  return {
    id: newId('ep', now),
    tenantId,
    url: 'https://example.com/hooks',
    name: 'Orders to ERP',
    description: 'sends orders',
    status: 'active',
    eventTypes: ['order.*', 'sensor.reading@2'],
    filter: { 'data.model': { $in: ['blogPost', 'page'] } },
    secrets: [{ value: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }],
    signature: { scheme: 'standard-webhooks' },
    envelope: 'standard',
    format: 'json',
    method: 'POST',
    headers: { 'X-Correlation-Id': 'erp-7' },
    timeoutMs: 5000,
    retry: { maxAttempts: 8 },
    batch: null,
    rateLimit: null,
    overflow: 'buffer',
    maxBacklog: null,
    ordered: false,
    requireVerification: false,
    verification: null,
    transform: null,
    destination: null,
    maxInFlight: 10,
    hasResources: false,
    verifiedAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function eventFixture(tenantId: string, overrides: Partial<HeraldEvent> = {}, now = T0): HeraldEvent {
  return {
    id: newId('evt', now),
    tenantId,
    type: 'order.created',
    version: 1,
    resource: null,
    payload: JSON.stringify({ orderId: 42 }),
    idempotencyKey: null,
    createdAt: now,
    ...overrides,
  };
}

/** One event owed to `endpointIds`, due at `due` (null = parked). */
export function newEvent(
  tenantId: string,
  endpointIds: string[],
  opts: { now?: number; due?: number | null; event?: Partial<HeraldEvent> } = {},
): NewEvent {
  const now = opts.now ?? T0;
  const due = opts.due === undefined ? now : opts.due;
  return {
    event: eventFixture(tenantId, opts.event, now),
    deliveries: endpointIds.map((endpointId) => ({ id: newId('dlv', now), endpointId, nextAttemptAt: due })),
  };
}

/** Stores one event and returns its id and delivery ids. */
export async function storeEvent(
  store: Store,
  tenantId: string,
  endpointIds: string[],
  opts: Parameters<typeof newEvent>[2] = {},
): Promise<{ eventId: string; deliveryIds: string[] }> {
  const [inserted] = await store.insertEvents([newEvent(tenantId, endpointIds, opts)]);
  return { eventId: inserted!.event.id, deliveryIds: inserted!.deliveryIds };
}

export function attemptFixture(overrides: Partial<Attempt> & Pick<Attempt, 'tenantId'>): Attempt {
  const createdAt = overrides.createdAt ?? T0;
  const status = overrides.responseStatus === undefined ? 200 : overrides.responseStatus;
  return {
    id: newId('att', createdAt),
    requestId: newId('req', createdAt),
    deliveryId: null,
    eventId: null,
    endpointId: null,
    eventType: 'order.created',
    attemptNumber: 1,
    trigger: 'scheduled',
    url: 'https://example.com/hooks',
    method: 'POST',
    requestHeaders: { 'content-type': 'application/json', 'webhook-id': 'evt_1' },
    requestBody: '{"orderId":42}',
    responseStatus: status,
    responseHeaders: status === null ? null : { 'content-type': 'text/plain' },
    responseBody: status === null ? null : 'ok',
    durationMs: 12,
    error: status === null ? { kind: 'timeout', message: 'no response within 5000 ms' } : null,
    succeeded: status !== null && status >= 200 && status < 300,
    createdAt,
    ...overrides,
  };
}

/** A worker's result for a claimed delivery. */
export function completion(
  claimed: ClaimedDelivery,
  owner: string,
  outcome: DeliveryOutcome,
  opts: { now?: number; responseStatus?: number | null; disable?: string } = {},
): CompletedAttempt {
  const responseStatus =
    opts.responseStatus === undefined ? (outcome.status === 'succeeded' ? 200 : 500) : opts.responseStatus;
  return {
    deliveryId: claimed.id,
    owner,
    attempt: attemptFixture({
      tenantId: claimed.tenantId,
      deliveryId: claimed.id,
      eventId: claimed.eventId,
      endpointId: claimed.endpointId,
      eventType: claimed.eventType,
      attemptNumber: claimed.attemptNumber,
      trigger: claimed.trigger,
      responseStatus,
      createdAt: opts.now ?? T0,
    }),
    outcome,
    ...(opts.disable ? { disableEndpoint: { reason: opts.disable } } : {}),
  };
}

/** Every page of a paged list, following cursors; fails the test on a cursor loop. */
export async function allPages<T>(
  fetch: (cursor: string | null) => Promise<{ data: T[]; nextCursor: string | null }>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await fetch(cursor);
    items.push(...page.data);
    cursor = page.nextCursor;
    pages++;
    if (pages > 10_000) throw new Error('paging never ended');
  } while (cursor !== null);
  return { items, pages };
}

/** Awaits a rejection and checks it is a HeraldError with `code`. */
export async function expectHeraldError(promise: Promise<unknown>, code: string): Promise<HeraldError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeraldError);
  expect((err as HeraldError).code).toBe(code);
  return err as HeraldError;
}

/** The claim's margin in the queue contracts; a lease lasts the endpoint's timeout (5 s in the fixtures) plus it. */
export const MARGIN = 25_000;
export const LEASE = 5_000 + MARGIN;

/** Two tenants and one endpoint of `acme`, and a claim with the contracts' margin. */
export function queueHelpers(s: StoreRef) {
  const setup = async (maxInFlight = 10) => {
    await s().createTenant(tenantFixture('acme'));
    await s().createTenant(tenantFixture('other'));
    return s().createEndpoint(endpointFixture('acme', { maxInFlight }));
  };
  const claim = (owner: string, now: number, limit = 100) =>
    s().claimDeliveries({ owner, limit, leaseMs: MARGIN, now });
  return { setup, claim };
}
