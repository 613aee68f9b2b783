/**
 * Recipe: IoT data hub (docs/recipes/iot-data-hub.md): grouped, versioned
 * event types; "Test Connection" on an unsaved subscription; custom headers;
 * batch and overflow settings stored; X-SCALAR-SIGNATURE verified by the
 * recipe's receiver.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIotReceiver,
  type IotEnvelope,
} from '../../../../docs/recipes/receivers/iot-data-hub/receiver.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const SECRET = 'iot-hub-secret-7f3a9c';
const TOKEN = 'hub-subscriber-token';

describe('recipe: IoT data hub', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const events: IotEnvelope[] = [];
  const receiver = createIotReceiver({ secret: SECRET, token: TOKEN, onEvent: (e) => events.push(e) });
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

  it('tests the connection, saves the subscription, and delivers only the chosen version', async () => {
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
    const subscription = {
      name: 'sensor feed',
      url,
      eventTypes: ['sensor.reading@2', 'asset.*'],
      secret: SECRET,
      signature: { scheme: 'hmac-sha256', header: 'X-SCALAR-SIGNATURE', encoding: 'hex' },
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Correlation-Id': 'hub-7' },
      timeoutMs: 5000,
      batch: { maxSize: 500, maxWaitMs: 2000 },
      overflow: 'drop-oldest',
      maxBacklog: 10000,
    };

    // Test Connection before saving: the example of the latest version, signed, answered at once.
    const tested = await api.post('/v1/tenants/plant-1/endpoints/test', {
      ...subscription,
      eventType: 'sensor.reading',
    });
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ status: 202, error: null });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'sensor.reading',
      version: 2,
      data: { sensorId: 'sn-1', unit: 'C' },
    });
    expect(events[0]?.id).toMatch(/^msg_/);
    expect((await api.get('/v1/tenants/plant-1/endpoints')).body.data).toEqual([]);
    const logged = (await api.get(`/v1/tenants/plant-1/attempts/${tested.body.attemptId}`)).body;
    expect(logged).toMatchObject({ trigger: 'test', endpointId: null });
    expect(logged.requestHeaders.authorization).toBe('***');

    const saved = await api.post('/v1/tenants/plant-1/endpoints', subscription);
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      batch: { maxSize: 500, maxWaitMs: 2000 },
      overflow: 'drop-oldest',
      maxBacklog: 10000,
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
    await waitUntil('two live events', () => events.length >= 3);
    expect(
      events
        .slice(1)
        .map((e) => `${e.type}@${e.version}`)
        .sort(),
    ).toEqual(['asset.moved@1', 'sensor.reading@2']);
    // Batching is on (maxWaitMs 2 s): both live events came in one signed request.
    const summary = (await api.get('/v1/tenants/plant-1/attempts/summary')).body;
    expect(summary).toMatchObject({ total: 1, succeeded: 1 });
    const [batch] = (await api.get('/v1/tenants/plant-1/attempts?trigger=scheduled')).body.data.filter(
      (a: { trigger: string }) => a.trigger === 'scheduled',
    );
    expect(batch.batchId).toMatch(/^msg_/);
    expect(batch.eventIds).toHaveLength(2);
  });
});
