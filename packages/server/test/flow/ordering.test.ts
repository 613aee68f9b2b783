import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { newId } from '../../src/domain/ids.ts';
import type { NewEvent, Store } from '../../src/store/port.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { STORE_KINDS } from './stores.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const SECOND = 1000;

for (const kind of STORE_KINDS) {
  describe.skipIf(kind.skip)(`ordered delivery and overflow (${kind.name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let now = T0;
    const clock = { now: () => now };
    const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
    let failures = new Map<string, number>();
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    beforeEach(async () => {
      ({ store, cleanup } = await kind.open());
      await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
      now = T0;
      failures = new Map();
      // Fails each event named in `failures` as many times as it says, then accepts it.
      receiver = await startReceiver((req) => {
        const n = (JSON.parse(req.body) as { data: { n: number } }).data.n;
        const left = failures.get(String(n)) ?? 0;
        if (left > 0) {
          failures.set(String(n), left - 1);
          return { status: 500 };
        }
        return { status: 200 };
      });
    });
    afterEach(async () => {
      await receiver.close();
      await cleanup();
    });

    function dispatcher() {
      return new Dispatcher(
        {
          store,
          sender: http,
          clock,
          random: () => 0.5,
          userAgent: 'Herald/test',
          logger: pino({ level: 'silent' }),
        },
        { concurrency: 64 },
      );
    }

    const received = () =>
      receiver.requests.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n);

    it('ordered: one in flight, in accept order; a failing delivery holds back the ones behind it', async () => {
      const ep = await store.createEndpoint(
        makeEndpoint(
          't1',
          `${receiver.url}/h`,
          { ordered: true, maxInFlight: 10, retry: { maxAttempts: 5, schedule: [5] } },
          T0,
        ),
      );
      for (let n = 1; n <= 10; n++) await insertEvent(store, 't1', [ep.id], T0, { n });
      failures.set('5', 3);
      const d = dispatcher();
      for (
        let round = 0;
        round < 40 && (await store.countDeliveries({ status: 'succeeded' })) < 10;
        round++
      ) {
        // Never more than one claimed per round, even with 64 free slots.
        expect(await d.runOnce()).toBeLessThanOrEqual(1);
        now += SECOND;
      }
      expect(received()).toEqual([1, 2, 3, 4, 5, 5, 5, 5, 6, 7, 8, 9, 10]);
      expect(await store.countDeliveries({ status: 'succeeded' })).toBe(10);
    });

    it('ordered: an exhausted delivery releases the ones behind it', async () => {
      const ep = await store.createEndpoint(
        makeEndpoint(
          't1',
          `${receiver.url}/h`,
          { ordered: true, retry: { maxAttempts: 2, schedule: [1] } },
          T0,
        ),
      );
      for (let n = 1; n <= 3; n++) await insertEvent(store, 't1', [ep.id], T0, { n });
      failures.set('1', 99);
      const d = dispatcher();
      for (let round = 0; round < 10; round++) {
        await d.runOnce();
        now += 2 * SECOND;
      }
      expect(received()).toEqual([1, 1, 2, 3]);
      expect(await store.countDeliveries({ status: 'failed' })).toBe(1);
    });

    it('drop-oldest keeps the newest maxBacklog pending deliveries and marks the rest dropped', async () => {
      const ep = await store.createEndpoint(
        makeEndpoint(
          't1',
          `${receiver.url}/h`,
          { overflow: 'drop-oldest', maxBacklog: 100, status: 'paused' },
          T0,
        ),
      );
      // The receiver is away (endpoint paused): 250 events pile up in five requests.
      for (let batch = 0; batch < 5; batch++) {
        const events: NewEvent[] = [];
        for (let i = 0; i < 50; i++) {
          const n = batch * 50 + i + 1;
          const event = {
            id: newId('evt', T0 + n),
            tenantId: 't1',
            type: 'tick',
            version: 1,
            resource: null,
            payload: JSON.stringify({ n }),
            idempotencyKey: null,
            createdAt: T0 + n,
          };
          events.push({
            event,
            deliveries: [{ id: newId('dlv', T0 + n), endpointId: ep.id, nextAttemptAt: null }],
          });
        }
        await store.insertEvents(events);
      }
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'pending' })).toBe(100);
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'dropped' })).toBe(150);

      now = T0 + 10 * SECOND;
      await store.updateEndpoint('t1', ep.id, { status: 'active' }, now);
      const d = dispatcher();
      while ((await d.runOnce()) > 0) now += SECOND;
      expect(received().sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i));
    });

    it('buffer (the default) keeps everything', async () => {
      const ep = await store.createEndpoint(
        makeEndpoint('t1', `${receiver.url}/h`, { status: 'paused' }, T0),
      );
      for (let n = 1; n <= 30; n++) await insertEvent(store, 't1', [ep.id], T0, { n });
      expect(await store.countDeliveries({ endpointId: ep.id, status: 'pending' })).toBe(30);
    });
  });
}
