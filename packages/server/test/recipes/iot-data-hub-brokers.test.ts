/**
 * Recipe: IoT data hub, delivered to the subscriber's own broker
 * (docs/recipes/iot-data-hub.md, "Delivering to the customer's RabbitMQ or
 * MQTT broker"), end to end: a real Herald, the RabbitMQ on 127.0.0.1:5672
 * and the Mosquitto on 127.0.0.1:1883, and the recipe's consumers, which
 * know nothing of Herald (the broker's own client and standardwebhooks).
 * Each subscription is created through the API with a broker URL; events
 * sent through the API must reach the consumer with a signature it accepts
 * (made with the secret the create response returned), the attempt log must
 * show what the broker answered, and the API must never show the broker's
 * password. Then what the consumers are for: messages wait while a consumer
 * is down, a handler that throws gets its message again, a forged signature
 * is refused and a late one is not. Every name (exchange, queue, topic
 * prefix, client id) is this run's own.
 */
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MqttMessage,
  startMqttConsumer,
} from '../../../../docs/recipes/receivers/iot-data-hub/mqtt-consumer.ts';
import {
  type RabbitMessage,
  startRabbitConsumer,
} from '../../../../docs/recipes/receivers/iot-data-hub/rabbitmq-consumer.ts';
import { type ApiClient, waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const RUN = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const TENANT = 'plant-1';
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672/';
const MQTT_URL = 'mqtt://127.0.0.1:1883';
/** A message whose body holds this makes the consumer's handler throw the first time it is handled. */
const FAIL_ONCE = 'fail-once';

/** Herald's event envelope, the body of a message (a batch's is an array of them). */
interface Envelope {
  id: string;
  type: string;
  version: number;
  resource: string | null;
  data: Record<string, unknown>;
}

interface Attempt {
  id: string;
  batchId: string | null;
  eventId: string | null;
  eventIds: string[];
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: { kind: string; message: string } | null;
  succeeded: boolean;
}

async function attemptsOf(api: ApiClient, endpointId: string): Promise<Attempt[]> {
  const res = await api.get(`/v1/tenants/${TENANT}/attempts?endpointId=${endpointId}&trigger=scheduled,test`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function sendEvent(api: ApiClient, event: Record<string, unknown>): Promise<string> {
  const res = await api.post(`/v1/tenants/${TENANT}/events`, event);
  expect(res.status).toBe(202);
  return res.body.id;
}

describe("recipe: IoT data hub, delivering to the customer's broker", () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;

  beforeAll(async () => {
    t = await startTestHerald();
    const { api } = t;
    for (const version of [1, 2]) {
      const type = {
        name: 'sensor.reading',
        group: 'sensors',
        version,
        example: { sensorId: 'sn-1', value: 21.5 },
      };
      expect((await api.post('/v1/event-types', type)).status).toBe(201);
    }
    expect((await api.post('/v1/event-types', { name: 'asset.moved', group: 'assets' })).status).toBe(201);
    expect((await api.post('/v1/tenants', { id: TENANT, name: 'Plant 1' })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('RabbitMQ', () => {
    const exchange = `iot-hub-${RUN}`;
    const queue = `iot-hub-${RUN}.plant-1`;
    const received: RabbitMessage[] = [];
    const rejected: string[] = [];
    let consumer: { close(): Promise<void> } | undefined;
    /** The webhook-ids of the messages whose handler threw. */
    const failedOnce = new Set<string>();
    let secret: string;
    let endpointId: string;

    const startConsumer = async () => {
      consumer = await startRabbitConsumer({
        url: AMQP_URL,
        secret,
        exchange,
        queue,
        bindingKey: 'iot.plant-1.#',
        onMessage: (m) => {
          if (JSON.stringify(m.payload).includes(FAIL_ONCE) && !failedOnce.has(m.id)) {
            failedOnce.add(m.id);
            throw new Error('the handler failed');
          }
          received.push(m);
        },
        onRejected: (reason) => void rejected.push(reason),
      });
    };
    /** The events the consumer has been given (a batch is an array, a test send one envelope), by type. */
    const events = () =>
      received
        .flatMap((m) => (Array.isArray(m.payload) ? m.payload : [m.payload]) as Envelope[])
        .map(({ type, version, data }) => ({ type, version, data }))
        .sort((a, b) => a.type.localeCompare(b.type));

    afterAll(async () => {
      await consumer?.close();
      const conn = await amqp.connect(AMQP_URL);
      const channel = await conn.createChannel();
      await channel.deleteQueue(queue);
      await channel.deleteExchange(exchange);
      await conn.close();
    });

    it('creates the subscription paused with an amqp:// URL, its password masked', async () => {
      const { api } = t;
      const created = await api.post(`/v1/tenants/${TENANT}/endpoints`, {
        name: 'sensor feed (RabbitMQ)',
        url: AMQP_URL,
        destination: { exchange, routingKey: 'iot.{{tenantId}}.{{type}}' },
        eventTypes: ['sensor.reading@2', 'asset.*'],
        batch: { maxSize: 500, maxWaitMs: 2000 },
        status: 'paused',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        url: 'amqp://guest:***@127.0.0.1:5672/',
        destination: { exchange, routingKey: 'iot.{{tenantId}}.{{type}}' },
        status: 'paused',
      });
      expect(created.body.secret).toMatch(/^whsec_/);
      secret = created.body.secret;
      endpointId = created.body.id;
      expect(
        JSON.stringify((await api.get(`/v1/tenants/${TENANT}/endpoints/${endpointId}`)).body),
      ).not.toContain('guest@');
      // The queue exists before anything is published to the exchange.
      await startConsumer();
    });

    it('tests the connection while paused: one signed envelope, confirmed by the exchange', async () => {
      const tested = await t.api.post(`/v1/tenants/${TENANT}/endpoints/${endpointId}/test`, {
        eventType: 'sensor.reading',
      });
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({
        status: null,
        error: null,
        responseBody: `confirmed by exchange "${exchange}" with routing key "iot.plant-1.sensor.reading"`,
      });
      await waitUntil('the test message', () => received.length >= 1);
      expect(received[0]).toMatchObject({
        routingKey: 'iot.plant-1.sensor.reading',
        payload: { type: 'sensor.reading', version: 2, data: { sensorId: 'sn-1', value: 21.5 } },
      });
      expect(rejected).toEqual([]);
    });

    it('delivers the subscribed events as a signed batch; the log shows the confirm', async () => {
      const { api } = t;
      const resumed = await api.patch(`/v1/tenants/${TENANT}/endpoints/${endpointId}`, { status: 'active' });
      expect(resumed.body.status).toBe('active');
      received.length = 0;
      await sendEvent(api, { type: 'sensor.reading', version: 1, data: { sensorId: 'a', value: 1 } });
      await sendEvent(api, {
        type: 'sensor.reading',
        version: 2,
        resource: 'sn-9',
        data: { sensorId: 'sn-9', value: 3, unit: 'C' },
      });
      await sendEvent(api, { type: 'asset.moved', data: { assetId: 'pallet-4' } });
      await waitUntil('both subscribed events', () => events().length >= 2);

      expect(events()).toEqual([
        { type: 'asset.moved', version: 1, data: { assetId: 'pallet-4' } },
        { type: 'sensor.reading', version: 2, data: { sensorId: 'sn-9', value: 3, unit: 'C' } },
      ]);
      expect(rejected).toEqual([]);

      // One message for the batch (maxWaitMs 2 s); two types in it, so {{type}} is "batch".
      expect(received).toHaveLength(1);
      const [message] = received as [RabbitMessage];
      expect(message.routingKey).toBe('iot.plant-1.batch');
      // The broker may hand the message on before Herald has stored its attempt.
      let batchAttempts: Attempt[] = [];
      await waitUntil('the batch attempt in the log', async () => {
        batchAttempts = (await attemptsOf(api, endpointId)).filter((a) => a.batchId !== null);
        return batchAttempts.length >= 1;
      });
      const [attempt, ...others] = batchAttempts;
      expect(others).toEqual([]);
      expect(attempt).toMatchObject({
        batchId: message.id,
        succeeded: true,
        responseStatus: null,
        responseHeaders: null,
        error: null,
        url: 'amqp://guest:***@127.0.0.1:5672/',
        responseBody: `confirmed by exchange "${exchange}" with routing key "iot.plant-1.batch"`,
      });
      expect(attempt!.eventIds).toHaveLength(2);
      expect(attempt!.requestHeaders['webhook-id']).toBe(message.id);
      // What the consumer accepted is what Herald signed, with the secret from the create response.
      expect(new Webhook(secret).verify(attempt!.requestBody, attempt!.requestHeaders)).toEqual(
        message.payload,
      );
    });

    it('keeps the password when the masked URL is sent back', async () => {
      const { api } = t;
      const patched = await api.patch(`/v1/tenants/${TENANT}/endpoints/${endpointId}`, {
        url: 'amqp://guest:***@127.0.0.1:5672/',
        name: 'sensor feed (RabbitMQ, renamed)',
      });
      expect(patched.status).toBe(200);
      expect(patched.body.url).toBe('amqp://guest:***@127.0.0.1:5672/');
      received.length = 0;
      await sendEvent(api, { type: 'asset.moved', data: { assetId: 'pallet-5' } });
      // Still the right password: RabbitMQ lets it publish.
      await waitUntil('the event after the PATCH', () => events().length >= 1);
      expect(events()).toEqual([{ type: 'asset.moved', version: 1, data: { assetId: 'pallet-5' } }]);
    });

    it('holds messages in the durable queue while the consumer is down', async () => {
      const { api } = t;
      await consumer!.close();
      consumer = undefined;
      received.length = 0;
      const id = await sendEvent(api, { type: 'asset.moved', data: { assetId: 'pallet-6' } });
      await waitUntil('the confirmed publish', async () =>
        (await attemptsOf(api, endpointId)).some((a) => a.eventIds.includes(id) && a.succeeded),
      );
      expect(received).toEqual([]);
      await startConsumer();
      await waitUntil('the queued event', () => events().length >= 1);
      expect(events()).toEqual([{ type: 'asset.moved', version: 1, data: { assetId: 'pallet-6' } }]);
    });

    it('gives a message whose handler threw once more, then acks it', async () => {
      received.length = 0;
      await sendEvent(t.api, { type: 'asset.moved', data: { assetId: FAIL_ONCE } });
      await waitUntil('the second handling', () => events().length >= 1);
      expect(events()).toEqual([{ type: 'asset.moved', version: 1, data: { assetId: FAIL_ONCE } }]);
      expect([...failedOnce]).toEqual([received[0]!.id]);
      // Acked the second time: with the consumer gone (unacked messages would be back), the queue is empty.
      await consumer!.close();
      const conn = await amqp.connect(AMQP_URL);
      try {
        expect((await (await conn.createChannel()).checkQueue(queue)).messageCount).toBe(0);
      } finally {
        await conn.close();
      }
      await startConsumer();
    });

    it('rejects a message whose signature does not match, and accepts a late one', async () => {
      // Someone else publishing on the customer's exchange: the consumer must check, not trust the broker.
      const conn = await amqp.connect(AMQP_URL);
      const channel = await conn.createConfirmChannel();
      const wh = new Webhook(secret);
      const publish = async (
        body: string,
        id: string,
        signedAt: Date,
        signature = wh.sign(id, signedAt, body),
      ) => {
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
          'webhook-signature': signature,
        };
        channel.publish(exchange, 'iot.plant-1.asset.moved', Buffer.from(body), { headers });
        await channel.waitForConfirms();
      };
      try {
        received.length = 0;
        const body = JSON.stringify({ id: 'msg_forged', type: 'asset.moved', data: {} });
        await publish(body, 'msg_forged', new Date(), wh.sign('msg_forged', new Date(), '{"other":1}'));
        await waitUntil('the rejection', () => rejected.length >= 1);
        expect(rejected).toEqual(['No matching signature found']);
        // Signed 10 minutes ago (it waited in the queue): past standardwebhooks' 5 minutes, still accepted.
        const late = JSON.stringify({ id: 'msg_late', type: 'asset.moved', data: {} });
        await publish(late, 'msg_late', new Date(Date.now() - 600_000));
        await waitUntil('the late message', () => received.length >= 1);
        expect(received[0]).toMatchObject({ id: 'msg_late', payload: { id: 'msg_late' } });
        expect(rejected).toHaveLength(1);
      } finally {
        await conn.close();
      }
    });
  });

  describe('MQTT', () => {
    const prefix = `iot-hub-${RUN}`;
    const clientId = `iot-hub-consumer-${RUN}`;
    const received: MqttMessage[] = [];
    const rejected: string[] = [];
    let consumer: { close(): Promise<void> } | undefined;
    /** The webhook-ids of the messages whose handler threw. */
    const failedOnce = new Set<string>();
    let secret: string;
    let endpointId: string;
    let reading: string;

    const startConsumer = async () => {
      consumer = await startMqttConsumer({
        url: MQTT_URL,
        secret,
        clientId,
        topicFilter: `${prefix}/plant-1/#`,
        sessionExpirySec: 60,
        onMessage: (m) => {
          if (JSON.stringify(m.payload).includes(FAIL_ONCE) && !failedOnce.has(m.id)) {
            failedOnce.add(m.id);
            throw new Error('the handler failed');
          }
          received.push(m);
        },
        onRejected: (reason) => void rejected.push(reason),
      });
    };

    afterAll(async () => {
      await consumer?.close();
    });

    it('creates the subscription paused with an mqtt:// URL, and starts it once the consumer runs', async () => {
      const { api } = t;
      const created = await api.post(`/v1/tenants/${TENANT}/endpoints`, {
        name: 'sensor feed (MQTT)',
        url: 'mqtt://hub:mqtt-s3cret@127.0.0.1:1883',
        destination: { topic: `${prefix}/{{tenantId}}/{{type}}/{{resource}}`, qos: 1 },
        eventTypes: ['sensor.reading@2', 'asset.*'],
        status: 'paused',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        url: 'mqtt://hub:***@127.0.0.1:1883',
        destination: { topic: `${prefix}/{{tenantId}}/{{type}}/{{resource}}`, qos: 1 },
        status: 'paused',
      });
      secret = created.body.secret;
      endpointId = created.body.id;
      const listed = (await api.get(`/v1/tenants/${TENANT}/endpoints`)).body;
      expect(JSON.stringify(listed)).not.toContain('mqtt-s3cret');
      // Sent while paused: parked, not published to a topic nobody subscribes to yet.
      reading = await sendEvent(api, {
        type: 'sensor.reading',
        version: 2,
        resource: 'sn-9',
        data: { sensorId: 'sn-9', value: 3, unit: 'C' },
      });
      // The consumer's persistent session subscribes, then the subscription is started.
      await startConsumer();
      const resumed = await api.patch(`/v1/tenants/${TENANT}/endpoints/${endpointId}`, { status: 'active' });
      expect(resumed.body.status).toBe('active');
    });

    it('delivers each event on its own topic, signed; the log shows the PUBACK', async () => {
      const { api } = t;
      const moved = await sendEvent(api, {
        type: 'asset.moved',
        resource: 'pallet-4',
        data: { assetId: 'pallet-4' },
      });
      await sendEvent(api, {
        type: 'sensor.reading',
        version: 1,
        resource: 'sn-1',
        data: { sensorId: 'sn-1' },
      });
      await waitUntil('both subscribed events', () => received.length >= 2);

      expect([...received].sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
        {
          id: moved,
          topic: `${prefix}/plant-1/asset.moved/pallet-4`,
          payload: expect.objectContaining({ id: moved, type: 'asset.moved', data: { assetId: 'pallet-4' } }),
        },
        {
          id: reading,
          topic: `${prefix}/plant-1/sensor.reading/sn-9`,
          payload: expect.objectContaining({ id: reading, type: 'sensor.reading', version: 2 }),
        },
      ]);
      expect(rejected).toEqual([]);

      // The broker may hand a message on before Herald has stored its attempt.
      let attempts: Attempt[] = [];
      await waitUntil('both attempts in the log', async () => {
        attempts = await attemptsOf(api, endpointId);
        return attempts.length >= 2;
      });
      expect(attempts).toHaveLength(2);
      for (const message of received) {
        const attempt = attempts.find((a) => a.eventId === message.id)!;
        expect(new Webhook(secret).verify(attempt.requestBody, attempt.requestHeaders)).toEqual(
          message.payload,
        );
        expect(attempt).toMatchObject({
          succeeded: true,
          responseStatus: null,
          error: null,
          url: 'mqtt://hub:***@127.0.0.1:1883',
          responseBody: `PUBACK reason 0 on topic "${message.topic}"`,
        });
      }
    });

    it('gets what was published while it was away when its session resumes', async () => {
      const { api } = t;
      await consumer!.close();
      consumer = undefined;
      received.length = 0;
      const id = await sendEvent(api, {
        type: 'asset.moved',
        resource: 'pallet-6',
        data: { assetId: 'pallet-6' },
      });
      await waitUntil('the acknowledged publish', async () =>
        (await attemptsOf(api, endpointId)).some((a) => a.eventId === id && a.succeeded),
      );
      expect(received).toEqual([]);
      await startConsumer();
      await waitUntil('the queued event', () => received.length >= 1);
      expect(received).toEqual([
        {
          id,
          topic: `${prefix}/plant-1/asset.moved/pallet-6`,
          payload: expect.objectContaining({ id, data: { assetId: 'pallet-6' } }),
        },
      ]);
    });

    it('does not acknowledge a message whose handler threw: it comes again when the session resumes', async () => {
      received.length = 0;
      const id = await sendEvent(t.api, {
        type: 'asset.moved',
        resource: 'pallet-7',
        data: { assetId: FAIL_ONCE },
      });
      await waitUntil('the failed handling', () => failedOnce.has(id));
      expect(received).toEqual([]);
      await consumer!.close();
      await startConsumer();
      await waitUntil('the redelivery', () => received.length >= 1);
      expect(received).toEqual([
        { id, topic: `${prefix}/plant-1/asset.moved/pallet-7`, payload: expect.objectContaining({ id }) },
      ]);
    });
  });
});
