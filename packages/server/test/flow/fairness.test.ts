import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfigFile } from '../../src/config-file.ts';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import type { OutboundRequest, OutboundResult } from '../../src/delivery/http-client.ts';
import type { Store } from '../../src/store/port.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { dropSchema, pgAvailable, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { STORE_KINDS } from './stores.ts';

/** A small worker, so the limits are reached with a few dozen requests: 16 slots, 4 per endpoint. */
const SLOTS = 16;
const SHARE = 4;
/** Fewer connections per origin than the hostile tenant's endpoints hold together (3 × 4). */
const PER_ORIGIN = 4;
const HUNG_ENDPOINTS = 3;

const DATABASES = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !pgAvailable },
];

/**
 * Issue 12: one tenant's endpoints that never answer, at the largest
 * maxInFlight allowed and on the same host and port as another tenant's
 * healthy endpoint, must cost that endpoint nothing: every delivery arrives
 * and no attempt of it fails. Outcomes only; no timing is asserted.
 */
for (const db of DATABASES) {
  describe.skipIf(db.skip)(`a hostile tenant cannot stall another (${db.name})`, () => {
    it('hung endpoints on the same origin hold their own share and connections; the healthy one loses nothing', async () => {
      const schema = db.name === 'postgres' ? uniqueSchema('fair') : null;
      const receiver = await startReceiver((req) =>
        req.url.startsWith('/hostile/') ? { hang: true } : { status: 200 },
      );
      const h = await startTestHerald({
        HERALD_WORKER_CONCURRENCY: String(SLOTS),
        HERALD_CONNECTIONS_PER_ORIGIN: String(PER_ORIGIN),
        ...(schema ? { HERALD_DATABASE_URL: pgUrlFor(schema) } : {}),
      });
      try {
        const { api } = h;
        for (const id of ['hostile', 'healthy'])
          expect((await api.post('/v1/tenants', { id, name: id })).status).toBe(201);

        const tooMany = await api.post('/v1/tenants/hostile/endpoints', {
          url: `${receiver.url}/hostile/x`,
          maxInFlight: SHARE + 1,
        });
        expect(tooMany.status).toBe(422);
        expect(tooMany.body.error.message).toBe(
          `maxInFlight must be at most ${SHARE}: a quarter of this Herald's ${SLOTS} worker slots (HERALD_WORKER_CONCURRENCY)`,
        );

        for (let i = 0; i < HUNG_ENDPOINTS; i++) {
          const created = await api.post('/v1/tenants/hostile/endpoints', {
            url: `${receiver.url}/hostile/${i}`,
            maxInFlight: SHARE,
            // Longer than the test: their requests stay hung throughout.
            timeoutMs: 30_000,
          });
          expect(created.status).toBe(201);
        }
        const healthy = await api.post('/v1/tenants/healthy/endpoints', { url: `${receiver.url}/healthy` });
        expect(healthy.status).toBe(201);
        expect(healthy.body.maxInFlight).toBe(SHARE); // the default (50) kept within the share
        const raise = await api.patch(`/v1/tenants/healthy/endpoints/${healthy.body.id}`, {
          maxInFlight: SHARE + 1,
        });
        expect(raise.status).toBe(422);
        expect(raise.body.error.message).toMatch(new RegExp(`^maxInFlight must be at most ${SHARE}: `));

        const hostileEvents = Array.from({ length: 100 }, (_, n) => ({ type: 'spam.sent', data: { n } }));
        for (let i = 0; i < 3; i++)
          expect((await api.post('/v1/tenants/hostile/events/batch', { events: hostileEvents })).status).toBe(
            202,
          );
        const hung = () => receiver.requests.filter((r) => r.url.startsWith('/hostile/'));
        await waitUntil('the hostile endpoints to hold all their share', () => {
          return hung().length >= HUNG_ENDPOINTS * SHARE;
        });

        const sent = new Set<string>();
        const healthyEvents = Array.from({ length: 50 }, (_, n) => ({ type: 'order.paid', data: { n } }));
        const res = await api.post('/v1/tenants/healthy/events/batch', { events: healthyEvents });
        expect(res.status).toBe(202);
        for (const e of res.body.data as { id: string }[]) sent.add(e.id);

        const summary = async () =>
          (await api.get('/v1/tenants/healthy/attempts/summary')).body as {
            succeeded: number;
            failed: number;
          };
        await waitUntil('every healthy delivery, or a failed attempt', async () => {
          const s = await summary();
          return s.succeeded >= sent.size || s.failed > 0;
        });
        expect(await summary()).toMatchObject({ succeeded: sent.size, failed: 0 });
        const arrived = receiver.requests
          .filter((r) => r.url === '/healthy')
          .map((r) => r.headers['webhook-id']);
        expect(new Set(arrived)).toEqual(sent);

        // Each hung endpoint got exactly its share, no more, however large its backlog.
        for (let i = 0; i < HUNG_ENDPOINTS; i++)
          expect(hung().filter((r) => r.url === `/hostile/${i}`)).toHaveLength(SHARE);
      } finally {
        // Closing the receiver first ends the hung requests, so Herald stops at once.
        await receiver.close();
        await h.close();
        if (schema) await dropSchema(schema);
      }
    }, 60_000);
  });
}

/** A sender that answers 200 when the test says so, counting requests in flight. */
function gatedSender(autoAnswer: boolean) {
  const waiting: (() => void)[] = [];
  const state = { active: 0, maxActive: 0, calls: 0, autoAnswer, waiting };
  return {
    state,
    release(): void {
      for (const answer of waiting.splice(0)) answer();
    },
    async send(_req: OutboundRequest): Promise<OutboundResult> {
      state.calls++;
      state.active++;
      state.maxActive = Math.max(state.maxActive, state.active);
      await new Promise<void>((resolve) =>
        state.autoAnswer ? setImmediate(resolve) : waiting.push(resolve),
      );
      state.active--;
      return { status: 200, headers: {}, body: '', durationMs: 1, error: null };
    },
  };
}

describe('the cap in a config file', () => {
  it('stops the start, naming the key and the cap', () => {
    const config = {
      tenants: [{ id: 'cms', endpoints: [{ name: 'site', url: 'https://example.com/h', maxInFlight: 200 }] }],
    };
    expect(() =>
      validateConfigFile(config, 'herald.config.json', { maxCustomHeaders: 5, workerConcurrency: 512 }),
    ).toThrow(
      "herald.config.json: tenants[0].endpoints[0].maxInFlight: must be at most 128: a quarter of this Herald's 512 worker slots (HERALD_WORKER_CONCURRENCY)",
    );
  });
});

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** Rows stored before the cap (or by an API with more slots) are clamped by each worker as it sends. */
for (const kind of STORE_KINDS) {
  describe.skipIf(kind.skip)(`the dispatcher clamps maxInFlight to its share (${kind.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = T0;
    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
      now = T0;
    });
    afterEach(() => cleanup());

    function dispatcher(sender: ReturnType<typeof gatedSender>) {
      const deps = { store, sender, clock: { now: () => now }, random: () => 0.5, userAgent: 'Herald/test' };
      // 8 slots: a share of 2 per endpoint.
      return new Dispatcher({ ...deps, logger: pino({ level: 'silent' }) }, { concurrency: 8 });
    }

    async function overCapEndpoint() {
      return store.createEndpoint(
        makeEndpoint('t1', 'https://receiver.example/h', { maxInFlight: 50, timeoutMs: 1000 }, T0),
      );
    }

    it('sends a stored maxInFlight of 50 at most 2 at a time in an 8-slot worker, and everything arrives', async () => {
      const ep = await overCapEndpoint();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(...(await insertEvent(store, 't1', [ep.id], now)).deliveryIds);
      const sender = gatedSender(true);

      // One claim takes all 8 (a slot each; the stored limit would allow 50); they go 2 at a time.
      expect(await dispatcher(sender).runOnce()).toBe(8);
      expect(sender.state.maxActive).toBe(2);
      expect(sender.state.calls).toBe(8);
      for (const id of ids)
        expect(await store.getDelivery(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    });

    it('gives held work back unsent, attempt not counted, once its lease could end before it is sent', async () => {
      const ep = await overCapEndpoint();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(...(await insertEvent(store, 't1', [ep.id], now)).deliveryIds);
      const sender = gatedSender(false);
      const d = dispatcher(sender);

      const round = d.runOnce();
      await waitUntil('the share to be in flight', () => sender.state.active === 2, 5000);
      // Leases end at T0 + timeout (1 s) + margin (10 s); a held delivery started now could outlive its lease.
      now = T0 + 5000;
      sender.release();
      expect(await round).toBe(5);
      expect(sender.state.calls).toBe(2);
      const states = await Promise.all(ids.map((id) => store.getDelivery(id)));
      expect(states.filter((s) => s?.status === 'succeeded')).toHaveLength(2);
      const given = states.filter((s) => s?.status === 'pending');
      expect(given).toHaveLength(3);
      for (const s of given) expect(s).toMatchObject({ attempts: 0, nextAttemptAt: now });

      // Claimed again, they go; nothing is sent twice.
      sender.state.autoAnswer = true;
      expect(await d.runOnce()).toBe(3);
      expect(sender.state.calls).toBe(5);
      for (const id of ids)
        expect(await store.getDelivery(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    });
  });
}
