import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startApi } from './harness.ts';

const EVENTS = '/v1/tenants/acme/events';

describe('events', () => {
  let h: Harness;
  let ep: string;
  const countEvents = async () => (await h.store.listEvents('acme', {}, { limit: 250 })).data.length;
  const countDeliveries = () => h.store.countDeliveries({});

  beforeEach(async () => {
    h = await startApi();
    await h.tenant('acme');
    ep = (
      await h.call('POST', '/v1/tenants/acme/endpoints', {
        url: 'https://a.example.com/',
        eventTypes: ['order.*'],
      })
    ).body.id;
    await h.call('POST', '/v1/event-types', {
      name: 'order.created',
      schema: {
        type: 'object',
        required: ['total'],
        properties: {
          total: { type: 'number' },
          lines: { type: 'array', items: { type: 'object', required: ['sku'] } },
        },
      },
    });
  });
  afterEach(async () => h.close());

  it('accepts an event: 202 with its deliveries, stored with the payload as sent', async () => {
    let woken = 0;
    h.store.onWork(() => woken++);
    const res = await h.call('POST', EVENTS, {
      type: 'order.created',
      data: { total: 42.5 },
      resource: 'ord_1',
    });
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^evt_/);
    expect(res.body.deliveries).toHaveLength(1);
    expect(woken).toBeGreaterThan(0);
    const event = await h.store.getEvent('acme', res.body.id);
    expect(event).toMatchObject({
      type: 'order.created',
      version: 1,
      resource: 'ord_1',
      payload: '{"total":42.5}',
    });
    const delivery = await h.store.getDelivery(res.body.deliveries[0]);
    expect(delivery).toMatchObject({ endpointId: ep, status: 'pending', nextAttemptAt: h.clock.now });

    const got = await h.call('GET', `${EVENTS}/${res.body.id}`);
    expect(got.body).toMatchObject({ id: res.body.id, data: { total: 42.5 }, resource: 'ord_1' });
    expect(got.body.deliveries[0]).toMatchObject({
      id: res.body.deliveries[0],
      endpointId: ep,
      status: 'pending',
    });
  });

  it('matches patterns: a type the endpoint does not subscribe to gets no delivery', async () => {
    const res = await h.call('POST', EVENTS, { type: 'user.deleted', data: {} });
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toEqual([]);
  });

  it('parks deliveries for paused endpoints', async () => {
    await h.call('PATCH', `/v1/tenants/acme/endpoints/${ep}`, { status: 'paused' });
    const res = await h.call('POST', EVENTS, { type: 'order.created', data: { total: 1 } });
    const delivery = await h.store.getDelivery(res.body.deliveries[0]);
    expect(delivery).toMatchObject({ status: 'pending', nextAttemptAt: null });
  });

  it('routes resource events to endpoints subscribed to that resource only', async () => {
    const dev = (await h.call('POST', '/v1/tenants/acme/endpoints', { url: 'https://dev.example.com/' })).body
      .id;
    await h.call('PUT', `/v1/tenants/acme/endpoints/${dev}/resources/veh_1`);
    const batch = await h.call('POST', `${EVENTS}/batch`, {
      events: [
        { type: 'car.moved', data: {}, resource: 'veh_1' },
        { type: 'car.moved', data: {}, resource: 'veh_2' },
        { type: 'car.moved', data: {} },
      ],
    });
    expect(batch.status).toBe(202);
    const owed = async (id: string) =>
      (await h.store.listDeliveriesForEvent('acme', id)).map((d) => d.endpointId);
    expect(await owed(batch.body.data[0].id)).toEqual([dev]);
    expect(await owed(batch.body.data[1].id)).toEqual([]);
    expect(await owed(batch.body.data[2].id)).toEqual([]);
  });

  it('refuses a payload failing its schema with 422 listing the failing paths, storing nothing', async () => {
    const res = await h.call('POST', EVENTS, { type: 'order.created', data: { total: 'lots', lines: [{}] } });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['data.total', 'data.lines[0].sku']));
    expect(res.body.error.message).toContain('data.');
    expect(await countEvents()).toBe(0);
    expect(await countDeliveries()).toBe(0);
  });

  it('refuses an invalid event type name and an unknown version of a known type', async () => {
    const name = await h.call('POST', EVENTS, { type: 'not a type', data: {} });
    expect(name.status).toBe(422);
    expect(name.body.error.message).toMatch(/^type /);
    const version = await h.call('POST', EVENTS, { type: 'order.created', version: 7, data: { total: 1 } });
    expect(version.status).toBe(422);
    expect(version.body.error.message).toContain('no version 7');
    expect(await countEvents()).toBe(0);
  });

  it('accepts unknown types with any version, and defaults to the latest catalog version', async () => {
    const unknown = await h.call('POST', EVENTS, { type: 'brand.new', version: 3, data: null });
    expect(unknown.status).toBe(202);
    expect((await h.store.getEvent('acme', unknown.body.id))?.version).toBe(3);
    await h.call('POST', '/v1/event-types', { name: 'order.created', version: 2 });
    const latest = await h.call('POST', EVENTS, { type: 'order.created', data: { anything: true } });
    expect(latest.status).toBe(202);
    expect((await h.store.getEvent('acme', latest.body.id))?.version).toBe(2);
  });

  it('stores a batch all or nothing, naming the bad index', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ type: 'order.created', data: { total: i } }));
    events[3] = { type: 'order.created', data: { total: 'three' } } as never;
    const res = await h.call('POST', `${EVENTS}/batch`, { events });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('events[3].data.total');
    expect(res.body.error.details[0]).toMatchObject({ index: 3, path: 'events[3].data.total' });
    expect(await countEvents()).toBe(0);
    expect(await countDeliveries()).toBe(0);

    const shape = await h.call('POST', `${EVENTS}/batch`, {
      events: [{ type: 'a.b', data: 1 }, { data: 2 }],
    });
    expect(shape.status).toBe(422);
    expect(shape.body.error.message).toContain('body.events[1].type');
    expect(await countEvents()).toBe(0);

    const ok = await h.call('POST', `${EVENTS}/batch`, {
      events: events.map((_, i) => ({ type: 'order.created', data: { total: i } })),
    });
    expect(ok.status).toBe(202);
    expect(ok.body.data).toHaveLength(5);
    expect(await countEvents()).toBe(5);
    expect(await countDeliveries()).toBe(5);
  });

  it('refuses an empty batch and one over 1,000 events', async () => {
    expect((await h.call('POST', `${EVENTS}/batch`, { events: [] })).status).toBe(422);
    const many = Array.from({ length: 1001 }, () => ({ type: 'a.b', data: 1 }));
    expect((await h.call('POST', `${EVENTS}/batch`, { events: many })).status).toBe(422);
    expect(await countEvents()).toBe(0);
  });

  it('answers the same idempotency key with the first answer and no new deliveries', async () => {
    const first = await h.call('POST', EVENTS, {
      type: 'order.created',
      data: { total: 1 },
      idempotencyKey: 'order-1',
    });
    expect(first.status).toBe(202);
    const again = await h.call('POST', EVENTS, {
      type: 'order.created',
      data: { total: 1 },
      idempotencyKey: 'order-1',
    });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const viaHeader = await h.call(
      'POST',
      EVENTS,
      { type: 'order.created', data: { total: 1 } },
      { headers: { 'idempotency-key': 'order-1' } },
    );
    expect(viaHeader.body).toEqual(first.body);
    expect(await countEvents()).toBe(1);
    expect(await countDeliveries()).toBe(1);

    const headerOnly = await h.call(
      'POST',
      EVENTS,
      { type: 'order.created', data: { total: 2 } },
      { headers: { 'idempotency-key': 'k2' } },
    );
    const headerAgain = await h.call(
      'POST',
      EVENTS,
      { type: 'order.created', data: { total: 2 } },
      { headers: { 'idempotency-key': 'k2' } },
    );
    expect(headerAgain.body.id).toBe(headerOnly.body.id);
    expect(await countEvents()).toBe(2);
  });

  it('refuses the same idempotency key twice in one batch', async () => {
    const res = await h.call('POST', `${EVENTS}/batch`, {
      events: [
        { type: 'a.b', data: 1, idempotencyKey: 'k' },
        { type: 'a.b', data: 2, idempotencyKey: 'k' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('events[1].idempotencyKey');
    expect(await countEvents()).toBe(0);
  });

  it('lists events with filters and a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.now += 1000;
      ids.push(
        (await h.call('POST', EVENTS, { type: 'order.created', data: { total: i }, resource: `r${i}` })).body
          .id,
      );
    }
    await h.call('POST', EVENTS, { type: 'user.deleted', data: {} });
    const page1 = await h.call('GET', `${EVENTS}?type=order.created&limit=2`);
    expect(page1.body.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    expect(page1.body.data[0].deliveries).toHaveLength(1);
    const page2 = await h.call(
      'GET',
      `${EVENTS}?type=order.created&limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
    );
    expect(page2.body.data.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const byResource = await h.call('GET', `${EVENTS}?resource=r1`);
    expect(byResource.body.data.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    const start = Date.parse('2026-01-15T12:00:00.000Z');
    const window = await h.call(
      'GET',
      `${EVENTS}?since=${start + 2000}&until=${new Date(start + 2500).toISOString()}`,
    );
    expect(window.body.data.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
  });

  it('retries deliveries by hand: 202 with their ids, and wakes the workers', async () => {
    const sent = await h.call('POST', EVENTS, { type: 'order.created', data: { total: 1 } });
    const dlv = sent.body.deliveries[0];
    const claimed = await h.store.claimDeliveries({
      owner: 'w1',
      limit: 10,
      leaseMs: 30_000,
      now: h.clock.now,
    });
    expect(claimed.map((c) => c.id)).toEqual([dlv]);
    const inFlight = await h.call('POST', `${EVENTS}/${sent.body.id}/retry`, { endpointId: ep });
    expect(inFlight.status).toBe(409);
    await h.store.releaseDeliveries('w1', [dlv], h.clock.now);

    let woken = 0;
    h.store.onWork(() => woken++);
    h.clock.now += 60_000;
    const res = await h.call('POST', `${EVENTS}/${sent.body.id}/retry`, {});
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveries: [dlv], queued: 1, notQueued: [] });
    expect(woken).toBeGreaterThan(0);
    expect((await h.store.getDelivery(dlv))?.nextAttemptAt).toBe(h.clock.now);

    expect((await h.call('POST', `${EVENTS}/evt_nope/retry`, {})).status).toBe(404);
    expect((await h.call('POST', `${EVENTS}/${sent.body.id}/retry`, { endpointId: 'ep_nope' })).status).toBe(
      404,
    );
  });
});
