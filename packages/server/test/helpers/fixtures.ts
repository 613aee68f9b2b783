import { ENDPOINT_DEFAULTS } from '../../src/domain/defaults.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Endpoint, HeraldEvent } from '../../src/domain/types.ts';
import type { NewEvent, Store } from '../../src/store/port.ts';

export const TEST_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A complete endpoint record with Herald's defaults, for tests that write through the store. */
export function makeEndpoint(
  tenantId: string,
  url: string,
  overrides: Partial<Endpoint> = {},
  now = Date.now(),
): Endpoint {
  return {
    ...structuredClone(ENDPOINT_DEFAULTS),
    id: newId('ep', now),
    tenantId,
    url,
    name: '',
    description: '',
    status: 'active',
    eventTypes: null,
    filter: null,
    secrets: [{ value: TEST_SECRET, expiresAt: null }],
    hasResources: false,
    verifiedAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  } as Endpoint;
}

/** Stores one event owed to the given endpoints, due at `now`. */
export async function insertEvent(
  store: Store,
  tenantId: string,
  endpointIds: string[],
  now: number,
  data: unknown = { hello: 'world' },
  type = 'order.created',
): Promise<{ event: HeraldEvent; deliveryIds: string[] }> {
  const event: HeraldEvent = {
    id: newId('evt', now),
    tenantId,
    type,
    version: 1,
    resource: null,
    payload: JSON.stringify(data),
    idempotencyKey: null,
    createdAt: now,
  };
  const item: NewEvent = {
    event,
    deliveries: endpointIds.map((endpointId) => ({ id: newId('dlv', now), endpointId, nextAttemptAt: now })),
  };
  const [inserted] = await store.insertEvents([item]);
  return { event, deliveryIds: inserted!.deliveryIds };
}
