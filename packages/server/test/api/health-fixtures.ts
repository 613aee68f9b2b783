/**
 * Driving an endpoint into trouble without a network: deliveries are claimed
 * and completed through the store with failed attempts, on a fake clock, so
 * the circuit opens exactly when the test says.
 */
import { DEFAULT_FLOW_POLICY } from '../../src/domain/circuit.ts';
import { newId } from '../../src/domain/ids.ts';
import type { ClaimedDelivery, CompletedAttempt, DeliveryOutcome, Store } from '../../src/store/port.ts';
import { insertEvent } from '../helpers/fixtures.ts';
import type { StoreApi } from './store-kinds.ts';

export const SECOND = 1000;
export const COOLDOWN_MS = 60 * SECOND;

/** Two failures open a circuit, for a minute. */
export function lowThresholds(store: Store): void {
  store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 2, cooldownMs: COOLDOWN_MS });
}

export async function createEndpoint(h: StoreApi, tid: string, body: Record<string, unknown> = {}) {
  const res = await h.call('POST', `/v1/tenants/${tid}/endpoints`, {
    url: 'https://hooks.example.com/in',
    ...body,
  });
  if (res.status !== 201) throw new Error(`endpoint create failed: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** One attempt's result as a worker reports it: 500 with an error, or 200. */
export function result(
  c: ClaimedDelivery,
  now: number,
  outcome: DeliveryOutcome,
  ok = false,
): CompletedAttempt {
  return {
    deliveryId: c.id,
    owner: 'w',
    outcome,
    attempt: {
      id: newId('att', now),
      requestId: newId('req', now),
      tenantId: c.tenantId,
      deliveryId: c.id,
      eventId: c.eventId,
      endpointId: c.endpointId,
      eventType: c.eventType,
      attemptNumber: c.attemptNumber,
      trigger: c.trigger,
      url: 'https://hooks.example.com/in',
      method: 'POST',
      requestHeaders: {},
      requestBody: '{}',
      responseStatus: ok ? 200 : 500,
      responseHeaders: {},
      responseBody: ok ? 'ok' : 'down',
      durationMs: 5,
      error: ok ? null : { kind: 'http_status' as const, message: 'the endpoint answered 500' },
      succeeded: ok,
      createdAt: now,
    },
  };
}

export const claim = (h: StoreApi) =>
  h.store.claimDeliveries({ owner: 'w', limit: 50, leaseMs: 30 * SECOND, now: h.clock.now });

/**
 * Sends `count` events to the endpoint and fails each delivery's attempt:
 * `retryAfterMs` null leaves them failed (exhausted), else pending for a retry then.
 */
export async function failDeliveries(
  h: StoreApi,
  tid: string,
  eid: string,
  count: number,
  retryAfterMs: number | null = SECOND,
) {
  const events: { eventId: string; deliveryId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const { event, deliveryIds } = await insertEvent(h.store, tid, [eid], h.clock.now);
    events.push({ eventId: event.id, deliveryId: deliveryIds[0]! });
  }
  const claimed = await claim(h);
  const now = h.clock.now;
  const outcome: DeliveryOutcome =
    retryAfterMs === null ? { status: 'failed' } : { status: 'pending', nextAttemptAt: now + retryAfterMs };
  await h.store.completeDeliveries(
    claimed.map((c) => result(c, now, outcome)),
    now,
  );
  return { events, claimed };
}
