import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import type { Store } from '../../src/store/port.ts';
import { insertEvent, makeEndpoint, TEST_SECRET } from '../helpers/fixtures.ts';
import { type ReceiverReply, startReceiver } from '../helpers/receiver.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const SECOND = 1000;

/** Retry timing driven by a fake clock: no sleeps, the dispatcher runs one round at a time. */
describe('dispatcher with a fake clock', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now = T0;
  const clock = { now: () => now };
  const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });
  let replies: ReceiverReply[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    ({ store, cleanup } = await tempSqliteStore());
    await store.createTenant({ id: 't1', name: 'T1', metadata: {}, createdAt: T0, updatedAt: T0 });
    now = T0;
    replies = [];
    receiver = await startReceiver((_req, i) => replies[i] ?? { status: 200 });
  });
  afterEach(async () => {
    await receiver.close();
    await cleanup();
  });

  function dispatcher(options: Partial<DispatcherOptions> = {}) {
    return new Dispatcher(
      {
        store,
        sender: http,
        clock,
        random: () => 0.5, // no jitter: the schedule exactly
        userAgent: 'Herald/test',
        logger: pino({ level: 'silent' }),
      },
      options,
    );
  }

  it('follows the retry schedule, then gives up after maxAttempts', async () => {
    const ep = await store.createEndpoint(
      makeEndpoint('t1', `${receiver.url}/h`, { retry: { maxAttempts: 3, schedule: [5, 300] } }, T0),
    );
    const { deliveryIds } = await insertEvent(store, 't1', [ep.id], T0);
    replies = [{ status: 500 }, { status: 500 }, { status: 500 }];
    const d = dispatcher();

    expect(await d.runOnce()).toBe(1);
    let delivery = await store.getDelivery(deliveryIds[0]!);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 5 * SECOND });

    now = T0 + 5 * SECOND - 1;
    expect(await d.runOnce()).toBe(0); // not due yet
    now = T0 + 5 * SECOND;
    expect(await d.runOnce()).toBe(1);
    delivery = await store.getDelivery(deliveryIds[0]!);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: now + 300 * SECOND });

    now += 300 * SECOND;
    expect(await d.runOnce()).toBe(1);
    delivery = await store.getDelivery(deliveryIds[0]!);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500 });
    expect(receiver.requests).toHaveLength(3);

    const log = await store.listAttempts('t1', { eventId: delivery!.eventId }, { limit: 10 });
    expect(log.data.map((a) => a.attemptNumber).sort()).toEqual([1, 2, 3]);
    expect(log.data.every((a) => a.responseStatus === 500 && a.error?.kind === 'http_status')).toBe(true);
  });

  it('stores a finished result before sweeping ended leases, so a late answer is not sent twice', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const slow = await startReceiver(async () => {
      await answered;
      return { status: 200 };
    });
    const ep = await store.createEndpoint(makeEndpoint('t1', `${slow.url}/h`, {}, T0));
    const { deliveryIds } = await insertEvent(store, 't1', [ep.id], T0);
    // Sweep on every round: the round after the answer is also a sweep.
    const d = dispatcher({ sweepIntervalMs: 0 });
    try {
      d.start();
      await slow.waitFor(1);
      // The lease (timeout + margin) ends while the request is still out; then the answer comes.
      now = T0 + 60 * SECOND;
      answer();
      for (let i = 0; i < 200; i++) {
        if ((await store.getDelivery(deliveryIds[0]!))?.status === 'succeeded') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await d.stop();
      expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({ status: 'succeeded', attempts: 1 });
      expect(slow.requests).toHaveLength(1);
    } finally {
      await d.stop();
      await slow.close();
    }
  });

  it('honours Retry-After on 429 and 503, clamped', async () => {
    const ep = await store.createEndpoint(makeEndpoint('t1', `${receiver.url}/h`, {}, T0));
    const { deliveryIds } = await insertEvent(store, 't1', [ep.id], T0);
    replies = [
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 503, headers: { 'retry-after': '999999' } },
      { status: 200 },
    ];
    const d = dispatcher();
    await d.runOnce();
    expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({ nextAttemptAt: T0 + 120 * SECOND });
    now = T0 + 120 * SECOND;
    await d.runOnce();
    // 999,999 s is clamped to one hour.
    expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({ nextAttemptAt: now + 3600 * SECOND });
    now += 3600 * SECOND;
    await d.runOnce();
    expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('applies ±20 % jitter from the random source', async () => {
    const ep = await store.createEndpoint(
      makeEndpoint('t1', `${receiver.url}/h`, { retry: { maxAttempts: 3, schedule: [100] } }, T0),
    );
    const { deliveryIds } = await insertEvent(store, 't1', [ep.id], T0);
    replies = [{ status: 500 }];
    const d = new Dispatcher({
      store,
      sender: http,
      clock,
      random: () => 0, // the low end of the jitter range
      userAgent: 'Herald/test',
      logger: pino({ level: 'silent' }),
    });
    await d.runOnce();
    expect(await store.getDelivery(deliveryIds[0]!)).toMatchObject({ nextAttemptAt: T0 + 80 * SECOND });
  });

  it('treats a redirect as a failure and 410 Gone as a reason to disable the endpoint', async () => {
    const ep = await store.createEndpoint(makeEndpoint('t1', `${receiver.url}/h`, {}, T0));
    const first = await insertEvent(store, 't1', [ep.id], T0);
    replies = [{ status: 302, headers: { location: 'http://example.com/' } }, { status: 410 }];
    const d = dispatcher();
    await d.runOnce();
    expect(await store.getDelivery(first.deliveryIds[0]!)).toMatchObject({
      status: 'pending',
      lastStatusCode: 302,
    });
    now += 5 * SECOND;
    await d.runOnce();
    expect(await store.getDelivery(first.deliveryIds[0]!)).toMatchObject({
      status: 'failed',
      lastStatusCode: 410,
    });
    const disabled = await store.getEndpoint('t1', ep.id);
    expect(disabled?.status).toBe('disabled');
    expect(disabled?.disabledReason).toMatch(/410/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('signs every request so that a Standard Webhooks verifier accepts it', async () => {
    const ep = await store.createEndpoint(makeEndpoint('t1', `${receiver.url}/h`, {}, T0));
    now = Date.now(); // the verifier checks the timestamp against the real time
    const { event } = await insertEvent(store, 't1', [ep.id], now, { a: 1 });
    await dispatcher().runOnce();
    const req = receiver.requests[0]!;
    expect(req.headers['webhook-id']).toBe(event.id);
    const payload = new Webhook(TEST_SECRET).verify(req.body, req.headers) as { id: string; data: unknown };
    expect(payload).toMatchObject({ id: event.id, type: 'order.created', data: { a: 1 } });
    expect(req.headers['x-request-id']).toMatch(/^req_/);
  });
});
