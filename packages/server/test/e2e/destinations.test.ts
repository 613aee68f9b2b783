/**
 * Broker destinations through a whole Herald (docs/destinations.md): events
 * sent over the API reach RabbitMQ, NATS JetStream, MQTT and Redis Streams,
 * are read by each broker's own client and verified with the
 * `standardwebhooks` package; a broker that goes away mid-run (a TCP proxy
 * stops forwarding and refuses connections) gives logged, retried failures
 * and every event arrives once it is back; a batching endpoint publishes
 * its batches in order.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../destinations/tcp-proxy.ts';
import { type ApiClient, waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { type BrokerConsumer, brokerFixtures, type ConsumedMessage } from './broker-consumers.ts';

const T = '/v1/tenants/acme';
// Retried every second, and the circuit's cool-down as short as configuration allows.
const FAST_RETRY = { maxAttempts: 50, schedule: [1] };

describe('broker destinations through Herald', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let api: ApiClient;

  const send = async (type: string, data: unknown): Promise<string> => {
    const res = await api.post(`${T}/events`, { type, data });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id as string;
  };
  const attemptsOf = async (endpointId: string) =>
    (await api.get(`${T}/attempts?endpointId=${endpointId}&limit=100`)).body.data as any[];
  const byId = (messages: ConsumedMessage[]) => new Map(messages.map((m) => [m.headers['webhook-id'], m]));

  beforeAll(async () => {
    herald = await startTestHerald({ HERALD_CIRCUIT_COOLDOWN_MS: '1000' });
    api = herald.api;
    expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  });
  afterAll(async () => {
    await herald?.close();
  });

  describe.each(brokerFixtures())('$kind', (fixture) => {
    let consumer: BrokerConsumer;
    let proxy: TcpProxy;
    beforeAll(async () => {
      consumer = await fixture.consume();
      proxy = await startTcpProxy(fixture.port);
    });
    afterAll(async () => {
      await proxy?.close();
      await consumer?.close();
    });

    const endpoint = async (body: Record<string, unknown>) => {
      const res = await api.post(`${T}/endpoints`, { destination: fixture.destination, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string; secret: string; url: string };
    };
    const arrived = async (ids: string[]) => {
      let got = new Map<string | undefined, ConsumedMessage>();
      await waitUntil(`${ids.length} messages on ${fixture.kind}`, async () => {
        got = byId(await consumer.messages());
        return ids.every((id) => got.has(id));
      });
      return ids.map((id) => got.get(id)!);
    };

    it('publishes signed messages that the broker’s own client reads and standardwebhooks verifies', async () => {
      const type = `device.${fixture.kind}`;
      const ep = await endpoint({ url: fixture.url(fixture.port), eventTypes: [type], retry: FAST_RETRY });
      expect(ep.url).not.toMatch(/guest:guest/);
      const ids = [await send(type, { n: 1, text: 'ü→✓' }), await send(type, { n: 2 })];
      const messages = await arrived(ids);
      const hook = new Webhook(ep.secret);
      for (const [i, m] of messages.entries()) {
        const verified = hook.verify(m.body, m.headers) as { type: string; data: { n: number } };
        expect(verified.type).toBe(type);
        expect(verified.data.n).toBe(i + 1);
        // The name template ({{type}}) decides where it went; the Redis fixture uses one stream.
        if (fixture.kind !== 'redis') expect(m.name).toContain(type);
      }
      await waitUntil('both attempts logged', async () => (await attemptsOf(ep.id)).length === 2);
      for (const a of await attemptsOf(ep.id)) {
        expect(a.succeeded).toBe(true);
        expect(a.responseStatus).toBeNull();
        expect(a.responseBody).toMatch(/\S/);
        expect(a.url).not.toMatch(/guest:guest/);
      }
    });

    it('logs retried failures while the broker is away and delivers everything once it is back', async () => {
      const type = `outage.${fixture.kind}`;
      const ep = await endpoint({ url: fixture.url(proxy.port), eventTypes: [type], retry: FAST_RETRY });
      const before = [await send(type, { n: 0 })];
      await arrived(before);
      await proxy.drop();
      const during = [await send(type, { n: 1 }), await send(type, { n: 2 }), await send(type, { n: 3 })];
      await waitUntil('failed attempts while the broker is away', async () => {
        const failed = (await attemptsOf(ep.id)).filter((a) => !a.succeeded);
        return failed.length >= 3;
      });
      for (const a of (await attemptsOf(ep.id)).filter((x) => !x.succeeded)) {
        expect(['connection_refused', 'connection_reset', 'network', 'timeout']).toContain(a.error.kind);
        expect(a.error.message).not.toMatch(/guest:guest/);
      }
      await proxy.accept();
      const messages = await arrived(during);
      const hook = new Webhook(ep.secret);
      for (const m of messages) hook.verify(m.body, m.headers);
      for (const id of [...before, ...during]) {
        await waitUntil(`event ${id} delivered`, async () => {
          const event = (await api.get(`${T}/events/${id}`)).body;
          return event.deliveries.every((d: { status: string }) => d.status === 'succeeded');
        });
      }
    });
  });

  it('runs an AMQP endpoint’s transform and signs what it publishes; a transform that leaves the broker fails', async () => {
    const fixture = brokerFixtures().find((f) => f.kind === 'amqp')!;
    const consumer = await fixture.consume();
    try {
      const type = 'transform.amqp';
      const create = async (transform: string) => {
        const res = await api.post(`${T}/endpoints`, {
          url: fixture.url(fixture.port),
          destination: fixture.destination,
          eventTypes: [type],
          transform,
          retry: { maxAttempts: 1 },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body as { id: string; secret: string };
      };
      const reshaping = await create(
        "function handler(w) { w.payload = { reading: w.payload.data.n }; w.headers['X-Plant'] = 'p1'; return w; }",
      );
      const leaving = await create(
        "function handler(w) { w.url = 'https://elsewhere.example.com/'; return w; }",
      );
      const id = await send(type, { n: 7 });
      let got: ConsumedMessage | undefined;
      await waitUntil('the transformed message', async () => {
        got = byId(await consumer.messages()).get(id);
        return got !== undefined;
      });
      expect(new Webhook(reshaping.secret).verify(got!.body, got!.headers)).toEqual({ reading: 7 });
      expect(got!.headers['x-plant']).toBe('p1');
      await waitUntil('the failed attempt', async () => (await attemptsOf(leaving.id)).length === 1);
      const [failed] = await attemptsOf(leaving.id);
      expect(failed.error.kind).toBe('transform');
      expect(failed.error.message).toMatch(/takes none|broker/);
    } finally {
      await consumer.close();
    }
  });

  it('publishes ordered batches to a Redis stream in the order the events were sent', async () => {
    const fixture = brokerFixtures().find((f) => f.kind === 'redis')!;
    const consumer = await fixture.consume();
    try {
      const type = 'batch.redis';
      const res = await api.post(`${T}/endpoints`, {
        url: fixture.url(fixture.port),
        destination: fixture.destination,
        eventTypes: [type],
        ordered: true,
        batch: { maxSize: 5, maxWaitMs: 50 },
        retry: FAST_RETRY,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const batchRes = await api.post(`${T}/events/batch`, {
        events: Array.from({ length: 12 }, (_, n) => ({ type, data: { n } })),
      });
      expect(batchRes.status, JSON.stringify(batchRes.body)).toBe(202);
      let got: ConsumedMessage[] = [];
      await waitUntil('12 events in batches', async () => {
        got = await consumer.messages();
        return got.flatMap((m) => JSON.parse(m.body) as unknown[]).length >= 12;
      });
      const hook = new Webhook(res.body.secret);
      const order = got.flatMap((m) =>
        (hook.verify(m.body, m.headers) as { data: { n: number } }[]).map((e) => e.data.n),
      );
      expect(order).toEqual(Array.from({ length: 12 }, (_, n) => n));
      expect(got.length).toBeGreaterThanOrEqual(3);
      expect(got.every((m) => (JSON.parse(m.body) as unknown[]).length <= 5)).toBe(true);
    } finally {
      await consumer.close();
    }
  });
});
