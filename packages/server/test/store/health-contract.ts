/**
 * The HealthStore contract (store/health-port.ts): endpoint health facts,
 * delivery facts and gates, reset circuit and retry now, written only
 * against the ports so every adapter runs the same suite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_POLICY } from '../../src/domain/circuit.ts';
import { type HealthStore, healthOf } from '../../src/store/health-port.ts';
import type { Store } from '../../src/store/port.ts';
import { completion, endpointFixture, storeEvent, T0, tenantFixture } from './contract-fixtures.ts';

const SECOND = 1000;
const COOLDOWN = 60 * SECOND;

export function runHealthContract(
  name: string,
  makeStore: () => Promise<{ store: Store; cleanup(): Promise<void> }>,
) {
  describe(`HealthStore contract: ${name}`, () => {
    let current: { store: Store; cleanup(): Promise<void> } | null = null;
    beforeEach(async () => {
      current = await makeStore();
      current.store.configureFlow({ ...DEFAULT_FLOW_POLICY, failureThreshold: 2, cooldownMs: COOLDOWN });
    });
    afterEach(async () => {
      await current?.cleanup();
      current = null;
    });
    const s = (): Store => current!.store;
    const health = (): HealthStore => healthOf(s());

    const setup = async () => {
      await s().createTenant(tenantFixture('acme'));
      await s().createTenant(tenantFixture('other'));
      const a = await s().createEndpoint(endpointFixture('acme', { name: 'A' }));
      const b = await s().createEndpoint(endpointFixture('acme', { name: 'B' }));
      const o = await s().createEndpoint(endpointFixture('other'));
      return { a, b, o };
    };
    /** Two failed attempts (retry in 1 s): the circuit opens at T0 until T0 + COOLDOWN. */
    const openCircuit = async (endpointId: string) => {
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await storeEvent(s(), 'acme', [endpointId])).deliveryIds[0]!);
      const claimed = await s().claimDeliveries({ owner: 'w', limit: 10, leaseMs: 10_000, now: T0 });
      await s().completeDeliveries(
        claimed.map((c) =>
          completion(c, 'w', { status: 'pending', nextAttemptAt: T0 + SECOND }, { now: T0 }),
        ),
        T0,
      );
      return ids;
    };

    it('reports each endpoint in one call, the tenant’s only, with the circuit, backlog and window', async () => {
      const { a, b, o } = await setup();
      await openCircuit(a.id);
      const facts = await health().endpointHealth('acme', [a.id, b.id, o.id, 'ep_nope'], T0 - 60_000);
      expect(facts.map((f) => f.endpointId)).toEqual([a.id, b.id]);
      const [fa, fb] = facts;
      expect(fa).toMatchObject({
        flow: { circuit: 'open', failures: 2, openedAt: T0, openUntil: T0 + COOLDOWN },
        pending: 2,
        inFlight: 0,
        exhausted: 0,
        nextDueAt: T0 + SECOND,
        oldestPendingAt: T0,
        lastAttempt: { at: T0, succeeded: false },
        lastError: { at: T0, statusCode: 500 },
        window: { attempts: 2, succeeded: 0, failed: 2 },
      });
      expect(fb).toMatchObject({
        flow: { circuit: 'closed', failures: 0 },
        pending: 0,
        lastAttempt: null,
        lastError: null,
      });
      // Rollup minutes before `since` are not counted.
      const later = await health().endpointHealth('acme', [a.id], T0 + 120_000);
      expect(later[0]!.window).toEqual({ attempts: 0, succeeded: 0, failed: 0 });
      expect(await health().endpointHealth('acme', [], T0)).toEqual([]);
    });

    it('gives delivery facts and gates, never another tenant’s', async () => {
      const { a, o } = await setup();
      const [d1] = await openCircuit(a.id);
      const { deliveryIds } = await storeEvent(s(), 'other', [o.id]);
      const facts = await health().deliveryFacts('acme', [d1!, deliveryIds[0]!, 'dlv_nope']);
      expect(facts).toEqual([
        expect.objectContaining({
          deliveryId: d1,
          endpointId: a.id,
          endpointName: 'A',
          endpointStatus: 'active',
          status: 'pending',
          circuit: 'open',
          openUntil: T0 + COOLDOWN,
        }),
      ]);
      expect(await health().endpointGate('acme', a.id)).toMatchObject({
        circuit: 'open',
        endpointStatus: 'active',
      });
      expect(await health().endpointGate('acme', o.id)).toBeNull();
    });

    it('resets a circuit: closed, counters cleared, failingSince kept, held-back deliveries due', async () => {
      const { a, o } = await setup();
      await openCircuit(a.id);
      // The claim holds them back (PostgreSQL defers them to the cooldown's end).
      expect(
        await s().claimDeliveries({ owner: 'w', limit: 10, leaseMs: 10_000, now: T0 + 2 * SECOND }),
      ).toEqual([]);
      expect(await health().resetCircuit('other', a.id, T0 + 3 * SECOND)).toBeNull();
      expect(await health().resetCircuit('acme', o.id, T0 + 3 * SECOND)).toBeNull();
      const reset = await health().resetCircuit('acme', a.id, T0 + 3 * SECOND);
      expect(reset).toMatchObject({ previous: { circuit: 'open', failures: 2 }, due: 2 });
      const [after] = await health().endpointHealth('acme', [a.id], T0);
      expect(after!.flow).toMatchObject({
        circuit: 'closed',
        failures: 0,
        opens: 0,
        openUntil: null,
        failingSince: T0,
      });
      const claimed = await s().claimDeliveries({
        owner: 'w',
        limit: 10,
        leaseMs: 10_000,
        now: T0 + 3 * SECOND,
      });
      expect(claimed).toHaveLength(2);
    });

    it('retry now moves waiting deliveries to now, marks retries manual, and leaves parked ones', async () => {
      const { a, b } = await setup();
      const { deliveryIds } = await storeEvent(s(), 'acme', [a.id]);
      const [c] = await s().claimDeliveries({ owner: 'w', limit: 10, leaseMs: 10_000, now: T0 });
      await s().completeDeliveries(
        [completion(c!, 'w', { status: 'pending', nextAttemptAt: T0 + 3_600_000 })],
        T0,
      );
      // A fresh delivery scheduled for later keeps its trigger.
      await storeEvent(s(), 'acme', [a.id], { due: T0 + 60_000 });
      expect(await health().retryNow('acme', a.id, T0 + SECOND)).toEqual({ moved: 2, pending: 2 });
      const claimed = await s().claimDeliveries({ owner: 'w', limit: 10, leaseMs: 10_000, now: T0 + SECOND });
      const retried = claimed.find((x) => x.id === deliveryIds[0]);
      expect(retried?.trigger).toBe('manual');
      expect(claimed.find((x) => x.id !== deliveryIds[0])?.trigger).toBe('scheduled');

      await s().updateEndpoint('acme', b.id, { status: 'paused' }, T0);
      await storeEvent(s(), 'acme', [b.id], { due: null });
      expect(await health().retryNow('acme', b.id, T0 + SECOND)).toEqual({ moved: 0, pending: 1 });
      expect(await health().retryNow('other', b.id, T0 + SECOND)).toBeNull();
    });
  });
}
