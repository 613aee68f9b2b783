/**
 * Recipe: IoT data hub (docs/recipes/iot-data-hub.md), end to end against a
 * real Herald and the recipe's subscriber on loopback. The subscriber is
 * written from the hub's docs only: it checks its Authorization token,
 * `X-SCALAR-Signature: sha256=<hex>` over the raw body, and reads the hub's
 * batch body `{eventBatchId, eventSubscriptionId, eventBatchTime,
 * eventsData: [{eventType, eventVersion, eventData}]}`. Nothing in it knows
 * Herald, so passing proves the endpoint config (signature prefix, custom
 * headers, batching, the recipe's transform) speaks the hub's shapes: for
 * Test Connection before saving, and for a live batch of the chosen
 * versions only.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createScalarReceiver,
  type ScalarEventBatch,
} from '../../../../docs/recipes/receivers/iot-data-hub/receiver.ts';
import { scalarBatchTransform } from '../../../../docs/recipes/receivers/iot-data-hub/scalar-batch.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const SECRET = 'iot-hub-secret-7f3a9c';
const TOKEN = 'hub-subscriber-token';
/** The platform's own id for this subscription, written into the transform. */
const SUBSCRIPTION_ID = '3b0f6c2e-8a41-4d5e-9f7a-2c6d1e0b9a57';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Seen {
  headers: IncomingMessage['headers'];
  raw: string;
}

describe('recipe: IoT data hub', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const batches: ScalarEventBatch[] = [];
  /** Every request the subscriber got, with its exact bytes. */
  const seen: Seen[] = [];
  const receiver = createScalarReceiver({ secret: SECRET, token: TOKEN, onBatch: (b) => batches.push(b) });
  // Listens beside the subscriber's own handler: both see the same chunks.
  receiver.prependListener('request', (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => seen.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') }));
  });
  let url: string;

  beforeAll(async () => {
    t = await startTestHerald();
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hub`;
  });
  afterAll(async () => {
    receiver.close();
    await t.close();
  });

  it('tests the connection, saves the subscription, and delivers a hub-shaped batch of the chosen versions', async () => {
    const { api } = t;
    const reading = (v: number) => ({
      name: 'sensor.reading',
      group: 'sensors',
      version: v,
      schema: { type: 'object', required: ['sensorId', 'value'] },
      example: { sensorId: 'sn-1', value: 21.5, ...(v === 2 ? { unit: 'C' } : {}) },
    });
    expect((await api.post('/v1/event-types', reading(1))).status).toBe(201);
    expect((await api.post('/v1/event-types', reading(2))).status).toBe(201);
    expect(
      (await api.post('/v1/event-types', { name: 'shipment.scanned', group: 'track-and-trace' })).status,
    ).toBe(201);
    expect((await api.post('/v1/event-types', { name: 'asset.moved', group: 'assets' })).status).toBe(201);
    const catalog = (await api.get('/v1/event-catalog')).body.data;
    expect(catalog.map((g: { group: string }) => g.group)).toEqual(['assets', 'sensors', 'track-and-trace']);

    await api.post('/v1/tenants', { id: 'plant-1', name: 'Plant 1' });
    // The subscription exactly as the recipe shows it.
    const subscription = {
      name: 'sensor feed',
      url,
      eventTypes: ['sensor.reading@2', 'asset.*'],
      secret: SECRET,
      signature: { scheme: 'hmac-sha256', header: 'X-SCALAR-SIGNATURE', prefix: 'sha256=', encoding: 'hex' },
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Correlation-Id': 'hub-7' },
      transform: scalarBatchTransform(SUBSCRIPTION_ID),
      timeoutMs: 5000,
      batch: { maxSize: 500, maxWaitMs: 2000 },
      overflow: 'drop-oldest',
      maxBacklog: 10000,
    };

    // Test Connection before saving: the latest version's example, as a hub batch of one, signed.
    const tested = await api.post('/v1/tenants/plant-1/endpoints/test', {
      ...subscription,
      eventType: 'sensor.reading',
    });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ status: 200, error: null });
    expect(JSON.parse(tested.body.responseBody)).toEqual({ statusCode: 200, message: 'received 1 events' });
    expect(batches).toEqual([
      {
        eventBatchId: expect.stringMatching(/^msg_/),
        eventSubscriptionId: SUBSCRIPTION_ID,
        eventBatchTime: expect.stringMatching(ISO_TIME),
        eventsData: [
          {
            eventType: 'sensor.reading',
            eventVersion: 2,
            eventData: { sensorId: 'sn-1', value: 21.5, unit: 'C' },
          },
        ],
      },
    ]);
    const first = seen[0]!;
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['x-correlation-id']).toBe('hub-7');
    expect(first.headers['x-scalar-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(first.raw).digest('hex')}`,
    );
    expect(tested.body.request.body).toBe(first.raw);
    expect((await api.get('/v1/tenants/plant-1/endpoints')).body.data).toEqual([]);
    const logged = (await api.get(`/v1/tenants/plant-1/attempts/${tested.body.attemptId}`)).body;
    expect(logged).toMatchObject({ trigger: 'test', endpointId: null });
    expect(logged.requestHeaders.authorization).toBe('***');

    // Signed with another secret, the subscriber refuses it: it really checks.
    const wrong = await api.post('/v1/tenants/plant-1/endpoints/test', {
      ...subscription,
      secret: 'not-the-hub-secret',
      eventType: 'sensor.reading',
    });
    expect(wrong.body.status).toBe(401);
    expect(batches).toHaveLength(1);

    const saved = await api.post('/v1/tenants/plant-1/endpoints', subscription);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      batch: { maxSize: 500, maxWaitMs: 2000 },
      overflow: 'drop-oldest',
      maxBacklog: 10000,
      transform: subscription.transform,
    });

    await api.post('/v1/tenants/plant-1/events', {
      type: 'sensor.reading',
      version: 1,
      data: { sensorId: 'a', value: 1 },
    });
    await api.post('/v1/tenants/plant-1/events', {
      type: 'sensor.reading',
      version: 2,
      resource: 'sn-9',
      data: { sensorId: 'sn-9', value: 3, unit: 'C' },
    });
    await api.post('/v1/tenants/plant-1/events', { type: 'asset.moved', data: { assetId: 'pallet-4' } });
    await waitUntil('the live batch', () => batches.length >= 2);

    // Batching is on (maxWaitMs 2 s): both subscribed events came in one hub batch; version 1 did not.
    const live = batches[1]!;
    expect(live).toMatchObject({
      eventSubscriptionId: SUBSCRIPTION_ID,
      eventBatchTime: expect.stringMatching(ISO_TIME),
    });
    expect([...live.eventsData].sort((a, b) => a.eventType.localeCompare(b.eventType))).toEqual([
      { eventType: 'asset.moved', eventVersion: 1, eventData: { assetId: 'pallet-4' } },
      { eventType: 'sensor.reading', eventVersion: 2, eventData: { sensorId: 'sn-9', value: 3, unit: 'C' } },
    ]);
    const summary = (await api.get('/v1/tenants/plant-1/attempts/summary')).body;
    expect(summary).toMatchObject({ total: 1, succeeded: 1 });
    const [attempt] = (await api.get('/v1/tenants/plant-1/attempts?trigger=scheduled')).body.data;
    expect(attempt.eventIds).toHaveLength(2);
    // The hub's batch id is Herald's batch id, the same on every retry.
    expect(live.eventBatchId).toBe(attempt.batchId);
  });
});
