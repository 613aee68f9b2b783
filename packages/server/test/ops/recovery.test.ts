/**
 * Recover, replay and bulk retry end to end: the API creates the job, a job
 * runner works it, a dispatcher delivers to a real receiver on loopback. The
 * clock is fake throughout; the runner and the dispatcher are stepped directly.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createHttpClient } from '../../src/delivery/http-client.ts';
import { parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { JobRunner } from '../../src/ops/jobs.ts';
import { opsOf } from '../../src/store/ops-port.ts';
import { type Harness, startApi } from '../api/harness.ts';
import { insertEvent, makeEndpoint } from '../helpers/fixtures.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const logger = pino({ level: 'silent' });
const http = createHttpClient({ policy: parseAllowPrivateNetworks('127.0.0.0/8') });

describe('recovery jobs', () => {
  let h: Harness;
  let receiver: Receiver;
  /** Events whose data says `fail: true` get a 500 until `healed`; the rest 200. */
  let healed = false;
  const clock = { now: () => h.clock.now };

  beforeEach(async () => {
    h = await startApi();
    healed = false;
    receiver = await startReceiver((req) => {
      const body = JSON.parse(req.body) as { data: { fail?: boolean; code?: number } };
      if (!healed && body.data.fail) return { status: body.data.code ?? 500 };
      return { status: 200 };
    });
    await h.tenant('acme');
    await h.tenant('other');
  });
  afterEach(async () => {
    await receiver.close();
    await h.close();
  });

  const dispatcher = () =>
    new Dispatcher({
      store: h.store,
      sender: http,
      clock,
      random: () => 0.5,
      userAgent: 'Herald/test',
      logger,
    });
  /**
   * Runs dispatcher rounds until nothing is pending, moving the fake clock a
   * minute between rounds: after an outage the endpoint's circuit may hold
   * deliveries back until a probe succeeds.
   */
  const drain = async () => {
    const d = dispatcher();
    for (let round = 0; round < 100; round++) {
      await d.runOnce();
      if ((await h.store.countDeliveries({ status: 'pending' })) === 0) return;
      h.clock.now += MINUTE;
    }
    throw new Error('deliveries still pending after 100 rounds');
  };
  const runner = (chunkSize = 500) =>
    new JobRunner({ store: h.store, ops: opsOf(h.store), clock, logger }, { chunkSize, leaseMs: MINUTE });
  const endpoint = (tenantId: string, overrides: Parameters<typeof makeEndpoint>[2] = {}) =>
    h.store.createEndpoint(
      makeEndpoint(
        tenantId,
        `${receiver.url}/hook`,
        { retry: { maxAttempts: 1 }, ...overrides },
        h.clock.now,
      ),
    );
  /** webhook-ids (event ids) the receiver got from request `from` on. */
  const received = (from = 0) => receiver.requests.slice(from).map((r) => r.headers['webhook-id']);

  it('recover sends the failed deliveries of the window again, and nothing else', async () => {
    const ep = await endpoint('acme');
    const bystander = await endpoint('acme');
    const start = h.clock.now;
    const inWindow = [];
    for (let i = 0; i < 3; i++)
      inWindow.push(await insertEvent(h.store, 'acme', [ep.id, bystander.id], start + i, { fail: true }));
    const okInWindow = await insertEvent(h.store, 'acme', [ep.id], start + 10, { fail: false });
    h.clock.now = start + 2 * HOUR;
    const late = await insertEvent(h.store, 'acme', [ep.id], h.clock.now, { fail: true });
    await dispatcher().runOnce();
    expect(receiver.requests).toHaveLength(8);

    healed = true;
    h.clock.now += MINUTE;
    const res = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/recover`, {
      since: new Date(start).toISOString(),
      until: new Date(start + HOUR).toISOString(),
    });
    expect(res.status).toBe(202);
    expect(res.body.job).toMatchObject({
      kind: 'recover',
      status: 'queued',
      progress: { processed: 0, affected: 0 },
    });

    const before = receiver.requests.length;
    expect(await runner().runOnce()).not.toBeNull();
    await drain();
    expect(received(before).sort()).toEqual(inWindow.map((e) => e.event.id).sort());
    for (const e of inWindow) {
      expect((await h.store.getDelivery(e.deliveryIds[0]!))?.status).toBe('succeeded');
      expect((await h.store.getDelivery(e.deliveryIds[1]!))?.status).toBe('failed');
    }
    expect((await h.store.getDelivery(late.deliveryIds[0]!))?.status).toBe('failed');
    expect((await h.store.getDelivery(okInWindow.deliveryIds[0]!))?.attempts).toBe(1);

    const job = await h.call('GET', `/v1/tenants/acme/jobs/${res.body.job.id}`);
    expect(job.body).toMatchObject({
      status: 'succeeded',
      progress: { processed: 3, affected: 3 },
      error: null,
    });
    const list = await h.call('GET', '/v1/tenants/acme/jobs');
    expect(list.body.data.map((j: { id: string }) => j.id)).toEqual([res.body.job.id]);
  });

  it("replay sends every event of the window that the endpoint's current subscription matches, as new deliveries", async () => {
    const ep = await endpoint('acme', { eventTypes: ['user.*'] });
    const start = h.clock.now;
    const delivered = await insertEvent(h.store, 'acme', [ep.id], start, { n: 0 }, 'order.created');
    const orders = [delivered];
    for (let i = 1; i < 4; i++)
      orders.push(await insertEvent(h.store, 'acme', [], start + i, { n: i }, 'order.created'));
    const users = [await insertEvent(h.store, 'acme', [ep.id], start + 5, { n: 5 }, 'user.created')];
    await insertEvent(h.store, 'other', [], start + 6, { n: 6 }, 'order.created');
    h.clock.now = start + 3 * HOUR;
    await insertEvent(h.store, 'acme', [], h.clock.now, { n: 7 }, 'order.created');
    await dispatcher().runOnce();
    expect(received().sort()).toEqual([delivered.event.id, users[0]!.event.id].sort());

    // The subscription changes: from now on the endpoint takes orders, not users.
    await h.store.updateEndpoint('acme', ep.id, { eventTypes: ['order.*'] }, h.clock.now);
    const res = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/replay`, {
      since: start,
      until: String(start + HOUR),
    });
    expect(res.status).toBe(202);
    const before = receiver.requests.length;
    await runner(2).runOnce();
    await drain();
    expect(received(before).sort()).toEqual(orders.map((e) => e.event.id).sort());
    // Delivered before, and owed again: a second delivery of the same event.
    expect(await h.store.listDeliveriesForEvent('acme', delivered.event.id)).toHaveLength(2);
    const job = await h.call('GET', `/v1/tenants/acme/jobs/${res.body.job.id}`);
    expect(job.body).toMatchObject({ status: 'succeeded', progress: { processed: 5, affected: 4 } });
  });

  it('bulk retry retries the failed deliveries behind the attempts matching the log filter', async () => {
    const ep = await endpoint('acme');
    const fiveHundreds = [];
    for (let i = 0; i < 3; i++)
      fiveHundreds.push(await insertEvent(h.store, 'acme', [ep.id], h.clock.now, { fail: true, code: 503 }));
    const notFound = await insertEvent(h.store, 'acme', [ep.id], h.clock.now, { fail: true, code: 404 });
    await dispatcher().runOnce();
    healed = true;
    const res = await h.call('POST', '/v1/tenants/acme/attempts/retry', { statusCode: '5xx' });
    expect(res.status).toBe(202);
    expect(res.body.job.params.filter.statusCode).toEqual({ class: 5 });
    const before = receiver.requests.length;
    await runner().runOnce();
    await drain();
    expect(received(before).sort()).toEqual(fiveHundreds.map((e) => e.event.id).sort());
    expect((await h.store.getDelivery(notFound.deliveryIds[0]!))?.status).toBe('failed');
  });

  it('resumes a job from its saved cursor after its runner dies, applying each chunk once', async () => {
    const ep = await endpoint('acme');
    const events = [];
    for (let i = 0; i < 5; i++)
      events.push(await insertEvent(h.store, 'acme', [ep.id], h.clock.now + i, { fail: true }));
    h.clock.now += 10;
    await dispatcher().runOnce();
    healed = true;
    const res = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/recover`, { since: 0 });
    const jobId = res.body.job.id as string;

    const dying = runner(2);
    const job = await dying.claim();
    expect(await dying.step(job!)).toBe('more');
    expect(await opsOf(h.store).getJob('acme', jobId)).toMatchObject({
      status: 'running',
      progress: { processed: 2 },
    });
    // The runner dies here. Nobody else may take the job until its lease ends.
    const survivor = runner(2);
    expect(await survivor.runOnce()).toBeNull();
    h.clock.now += 2 * MINUTE;
    expect(await survivor.runOnce()).not.toBeNull();
    // The dead runner's late step is refused and changes nothing.
    expect(await dying.step(job!)).toBe('lost');

    expect(await opsOf(h.store).getJob('acme', jobId)).toMatchObject({
      status: 'succeeded',
      progress: { processed: 5, affected: 5 },
    });
    const before = receiver.requests.length;
    await drain();
    expect(received(before).sort()).toEqual(events.map((e) => e.event.id).sort());
  });

  it("keeps tenants apart: another tenant's endpoint or job is 404", async () => {
    const ep = await endpoint('acme');
    const other = await h.tenant('third');
    const window = { since: 0 };
    expect((await h.call('POST', `/v1/tenants/other/endpoints/${ep.id}/recover`, window)).status).toBe(404);
    expect((await h.call('POST', `/v1/tenants/other/endpoints/${ep.id}/replay`, window)).status).toBe(404);
    const res = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/recover`, window);
    expect(res.status).toBe(202);
    expect((await h.call('GET', `/v1/tenants/other/jobs/${res.body.job.id}`)).status).toBe(404);
    const byToken = await h.call('GET', `/v1/tenants/acme/jobs/${res.body.job.id}`, undefined, {
      key: other.token,
    });
    expect(byToken.status).toBe(404);
    expect((await h.call('GET', '/v1/tenants/other/jobs')).body.data).toEqual([]);
  });

  it('refuses a window that ends before it starts, or a time it cannot read', async () => {
    const ep = await endpoint('acme');
    const bad = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/recover`, { since: 'yesterday' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('body.since');
    const backwards = await h.call('POST', `/v1/tenants/acme/endpoints/${ep.id}/replay`, {
      since: 2000,
      until: 1000,
    });
    expect(backwards.status).toBe(422);
  });
});
