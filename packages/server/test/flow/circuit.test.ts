import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { DEFAULT_FLOW_POLICY, type FlowTransition } from '../../src/domain/circuit.ts';
import type { Store } from '../../src/store/port.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { type ReceiverReply, startReceiver } from '../helpers/receiver.ts';
import { STORE_KINDS } from './stores.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const SECOND = 1000;
const DAY = 24 * 3600 * SECOND;

/** Circuit breaker, auto-disable and 410, driven by a fake clock one dispatcher round at a time. */
for (const kind of STORE_KINDS) {
  describe.skipIf(kind.skip)(`circuit breaker and auto-disable (${kind.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = T0;
    const clock = { now: () => now };
    const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
    let reply: ReceiverReply = { status: 500 };
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let transitions: FlowTransition[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
      store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 3, cooldownMs: 30 * SECOND });
      now = T0;
      reply = { status: 500 };
      transitions = [];
      receiver = await startReceiver(() => reply);
    });
    afterEach(async () => {
      await receiver.close();
      await cleanup();
    });

    function dispatcher() {
      return new Dispatcher({
        store,
        sender: http,
        clock,
        random: () => 0.5,
        userAgent: 'Herald/test',
        logger: pino({ level: 'silent' }),
        onTransitions: (t) => transitions.push(...t),
      });
    }

    /** An endpoint whose deliveries retry every second, many times. */
    async function endpoint() {
      return store.createEndpoint(
        makeEndpoint('t1', `${receiver.url}/h`, { retry: { maxAttempts: 50, schedule: [1] } }, T0),
      );
    }

    it('opens after consecutive failures, holds fresh deliveries without attempts, probes once, closes on success', async () => {
      const ep = await endpoint();
      const failing = [];
      for (let i = 0; i < 3; i++)
        failing.push((await insertEvent(store, 't1', [ep.id], now)).deliveryIds[0]!);
      const d = dispatcher();
      expect(await d.runOnce()).toBe(3);
      expect(transitions.map((t) => t.type)).toEqual(['endpoint.circuit_opened']);
      expect(transitions[0]).toMatchObject({ tenantId: 't1', endpointId: ep.id });
      expect((await store.getCircuits([ep.id])).get(ep.id)).toEqual({
        state: 'open',
        failures: 3,
        openedAt: T0,
      });

      // Fresh events and due retries wait for the cooldown: no request, no attempt counted.
      const fresh = (await insertEvent(store, 't1', [ep.id], now + SECOND)).deliveryIds[0]!;
      now += 10 * SECOND;
      expect(await d.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(3);
      expect(await store.getDelivery(fresh)).toMatchObject({ status: 'pending', attempts: 0 });

      // Cooldown over: exactly one probe in flight, though four deliveries are due.
      now = T0 + 30 * SECOND;
      reply = { status: 200 };
      expect(await d.runOnce()).toBe(1);
      expect(receiver.requests).toHaveLength(4);
      expect(transitions.map((t) => t.type)).toEqual(['endpoint.circuit_opened', 'endpoint.recovered']);
      expect((await store.getCircuits([ep.id])).get(ep.id)).toMatchObject({ state: 'closed', failures: 0 });

      // Closed again: the rest flows (the ones held back become due again within the probe wait).
      now += 2 * SECOND;
      expect(await d.runOnce()).toBe(3);
      for (const id of [...failing, fresh]) expect((await store.getDelivery(id))?.status).toBe('succeeded');
    });

    it('re-opens on a failed probe with a doubled cooldown', async () => {
      const ep = await endpoint();
      for (let i = 0; i < 3; i++) await insertEvent(store, 't1', [ep.id], now);
      const d = dispatcher();
      await d.runOnce();
      now = T0 + 30 * SECOND;
      expect(await d.runOnce()).toBe(1); // the probe fails
      expect(transitions.filter((t) => t.type === 'endpoint.circuit_opened')).toHaveLength(2);
      expect((await store.getCircuits([ep.id])).get(ep.id)).toMatchObject({ state: 'open', openedAt: now });
      now += 59 * SECOND;
      expect(await d.runOnce()).toBe(0);
      now += SECOND;
      expect(await d.runOnce()).toBe(1);
      expect(receiver.requests).toHaveLength(5);
    });

    it('disables an endpoint that fails continuously for disableAfter, and says why', async () => {
      store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 1000, disableAfterMs: 5 * DAY });
      const ep = await endpoint();
      const { deliveryIds } = await insertEvent(store, 't1', [ep.id], now);
      const d = dispatcher();
      expect(await d.runOnce()).toBe(1);
      now += 5 * DAY - SECOND;
      expect(await d.runOnce()).toBe(1);
      expect((await store.getEndpoint('t1', ep.id))?.status).toBe('active');
      now += SECOND;
      expect(await d.runOnce()).toBe(1);
      const disabled = await store.getEndpoint('t1', ep.id);
      expect(disabled?.status).toBe('disabled');
      expect(disabled?.disabledReason).toMatch(/every attempt has failed since 2026-11-23T12:00:00.000Z/);
      expect(transitions.filter((t) => t.type === 'endpoint.disabled')).toHaveLength(1);
      // Parked, not sent, while disabled.
      now += DAY;
      expect(await d.runOnce()).toBe(0);
      expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({
        status: 'pending',
        nextAttemptAt: null,
      });
    });

    it('a success in between restarts the disableAfter clock', async () => {
      store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 1000, disableAfterMs: 5 * DAY });
      const ep = await endpoint();
      await insertEvent(store, 't1', [ep.id], now);
      const d = dispatcher();
      await d.runOnce();
      now += 3 * DAY;
      reply = { status: 200 };
      await insertEvent(store, 't1', [ep.id], now);
      await d.runOnce();
      reply = { status: 500 };
      await insertEvent(store, 't1', [ep.id], now);
      await d.runOnce();
      now += 3 * DAY;
      await d.runOnce();
      expect((await store.getEndpoint('t1', ep.id))?.status).toBe('active');
    });

    it('410 Gone disables at once and is reported once', async () => {
      const ep = await endpoint();
      reply = { status: 410 };
      await insertEvent(store, 't1', [ep.id], now);
      await insertEvent(store, 't1', [ep.id], now);
      await dispatcher().runOnce();
      const gone = await store.getEndpoint('t1', ep.id);
      expect(gone?.status).toBe('disabled');
      expect(gone?.disabledReason).toMatch(/410 Gone/);
      expect(transitions.filter((t) => t.type === 'endpoint.disabled')).toHaveLength(1);
    });

    it('reports failing deliveries after 3 attempts and exhausted ones at the end', async () => {
      store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 1000 });
      const ep = await store.createEndpoint(
        makeEndpoint('t1', `${receiver.url}/h`, { retry: { maxAttempts: 4, schedule: [1] } }, T0),
      );
      const { deliveryIds } = await insertEvent(store, 't1', [ep.id], now);
      const d = dispatcher();
      for (let i = 0; i < 4; i++) {
        expect(await d.runOnce()).toBe(1);
        now += 2 * SECOND;
      }
      expect(transitions.map((t) => [t.type, t.attempts])).toEqual([
        ['delivery.failing', 3],
        ['delivery.exhausted', 4],
      ]);
      expect(transitions[1]).toMatchObject({ deliveryId: deliveryIds[0], tenantId: 't1', endpointId: ep.id });
    });
  });
}
