import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { DEFAULT_FLOW_POLICY, type FlowTransition } from '../../src/domain/circuit.ts';
import { newId } from '../../src/domain/ids.ts';
import type { Endpoint } from '../../src/domain/types.ts';
import type { NewEvent, Store } from '../../src/store/port.ts';
import { makeEndpoint } from '../helpers/fixtures.ts';
import { type ReceivedRequest, type ReceiverReply, startReceiver } from '../helpers/receiver.ts';
import { STORE_KINDS } from './stores.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const SECOND = 1000;

/** Stores `count` events owed to the endpoint, accepted at `now`, oldest first. */
async function insertEvents(store: Store, endpointId: string, count: number, now: number): Promise<string[]> {
  const ids: string[] = [];
  const chunk: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    const id = newId('evt', now);
    ids.push(id);
    chunk.push({
      event: {
        id,
        tenantId: 't1',
        type: 'reading.recorded',
        version: 1,
        resource: null,
        payload: JSON.stringify({ n: i }),
        idempotencyKey: null,
        createdAt: now,
      },
      deliveries: [{ id: newId('dlv', now), endpointId, nextAttemptAt: now }],
    });
  }
  await store.insertEvents(chunk);
  return ids;
}

const carried = (req: ReceivedRequest) => (JSON.parse(req.body) as { id: string }[]).map((e) => e.id);

/** Circuit breaker, ordering and rate limits for batching endpoints: one batch request is one attempt. */
for (const kind of STORE_KINDS) {
  describe.skipIf(kind.skip)(`flow control of batching endpoints (${kind.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = T0;
    const clock = { now: () => now };
    const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
    let reply: (i: number) => ReceiverReply = () => ({ status: 200 });
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let transitions: FlowTransition[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
      store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 3, cooldownMs: 30 * SECOND });
      now = T0;
      reply = () => ({ status: 200 });
      transitions = [];
      receiver = await startReceiver((_req, i) => reply(i));
    });
    afterEach(async () => {
      await receiver.close();
      await cleanup();
    });

    const dispatcher = () =>
      new Dispatcher({
        store,
        sender: http,
        clock,
        random: () => 0.5,
        userAgent: 'Herald/test',
        logger: pino({ level: 'silent' }),
        onTransitions: (t) => transitions.push(...t),
      });

    /** Batches of two, retried every second, many times. */
    const batchEndpoint = (overrides: Partial<Endpoint> = {}) =>
      store.createEndpoint(
        makeEndpoint(
          't1',
          `${receiver.url}/hook`,
          {
            batch: { maxSize: 2, maxWaitMs: SECOND },
            maxInFlight: 10,
            retry: { maxAttempts: 50, schedule: [1] },
            ...overrides,
          },
          T0,
        ),
      );

    it('opens the circuit after failing batch requests, sends none during the cooldown, then one probe', async () => {
      const ep = await batchEndpoint();
      const events = await insertEvents(store, ep.id, 6, T0);
      reply = () => ({ status: 500 });
      const d = dispatcher();
      expect(await d.runOnce()).toBe(3);
      expect(transitions.map((t) => t.type)).toEqual(['endpoint.circuit_opened']);
      expect(transitions[0]).toMatchObject({ tenantId: 't1', endpointId: ep.id });
      expect((await store.getCircuits([ep.id])).get(ep.id)).toMatchObject({ state: 'open', failures: 3 });

      // Due retries and fresh events alike wait for the cooldown: no request, no batch formed.
      const fresh = await insertEvents(store, ep.id, 2, T0 + SECOND);
      for (const at of [2, 10, 29]) {
        now = T0 + at * SECOND;
        expect(await d.runOnce()).toBe(0);
      }
      expect(receiver.requests).toHaveLength(3);

      // Cooldown over: exactly one batch goes as the probe; its success closes the circuit.
      now = T0 + 31 * SECOND;
      reply = () => ({ status: 200 });
      expect(await d.runOnce()).toBe(1);
      expect(receiver.requests).toHaveLength(4);
      expect(transitions.map((t) => t.type)).toEqual(['endpoint.circuit_opened', 'endpoint.recovered']);
      expect((await store.getCircuits([ep.id])).get(ep.id)).toMatchObject({ state: 'closed', failures: 0 });

      // Closed again: the rest (held back a moment behind the probe) go together.
      now += SECOND;
      expect(await d.runOnce()).toBe(3);
      expect(receiver.requests.slice(3).flatMap(carried).sort()).toEqual([...events, ...fresh].sort());
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'succeeded' })).toBe(8);
    });

    it('a failing probe re-opens the circuit with no further batch sent', async () => {
      const ep = await batchEndpoint();
      await insertEvents(store, ep.id, 8, T0);
      reply = () => ({ status: 500 });
      const d = dispatcher();
      expect(await d.runOnce()).toBe(4);
      now = T0 + 31 * SECOND;
      expect(await d.runOnce()).toBe(1);
      expect(await d.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(5);
      expect(transitions.map((t) => t.type)).toEqual(['endpoint.circuit_opened', 'endpoint.circuit_opened']);
    });

    it('ordered: batches go one at a time in accept order; a failing first batch holds back the rest', async () => {
      const ep = await batchEndpoint({ ordered: true });
      const events = await insertEvents(store, ep.id, 6, T0);
      reply = (i) => ({ status: i === 0 ? 500 : 200 });
      const d = dispatcher();
      expect(await d.runOnce()).toBe(1);
      // The failed first batch waits for its retry; nothing behind it is formed or sent meanwhile.
      expect(await d.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        now += 10 * SECOND;
        expect(await d.runOnce()).toBe(1);
      }
      now += 10 * SECOND;
      expect(await d.runOnce()).toBe(0);

      const sent = receiver.requests.map(carried);
      expect(sent).toEqual([events.slice(0, 2), events.slice(0, 2), events.slice(2, 4), events.slice(4, 6)]);
      const ids = receiver.requests.map((r) => r.headers['webhook-id']);
      expect(ids[1]).toBe(ids[0]);
      expect(new Set(ids).size).toBe(3);
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'succeeded' })).toBe(6);
    });

    it('rate limit: one token per batch request, however many events it carries', async () => {
      const ep = await batchEndpoint({ rateLimit: { perSecond: 1 } });
      await insertEvents(store, ep.id, 6, T0);
      const d = dispatcher();
      expect(await d.runOnce()).toBe(1);
      expect(await d.runOnce()).toBe(0);
      now += SECOND;
      expect(await d.runOnce()).toBe(1);
      expect(await d.runOnce()).toBe(0);
      now += SECOND;
      expect(await d.runOnce()).toBe(1);
      expect(receiver.requests.map((r) => carried(r).length)).toEqual([2, 2, 2]);
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'succeeded' })).toBe(6);
    });
  });
}
