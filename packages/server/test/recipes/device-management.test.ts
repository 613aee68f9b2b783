/**
 * Recipe: device management (docs/recipes/device-management.md): URL and
 * secret, then activate; categories with sample payloads; mock events not
 * counted in the summary; subscribe/unsubscribe per event type; X-SF-Signature;
 * logs filtered by date, status code and request id, payload viewable. The
 * receiver is written from the platform's docs (no Herald code): it checks
 * X-SF-Signature over the raw body and reads the body as the event's sample
 * payload, so passing proves the endpoint sends the platform's shapes.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeviceReceiver,
  type DeviceEvent,
} from '../../../../docs/recipes/receivers/device-management/receiver.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const SECRET = 'sf-customer-secret-0042';
/** The endpoint config the recipe documents. */
const sfEndpoint = (url: string, secret: string) => ({
  url,
  secret,
  signature: { scheme: 'hmac-sha256', header: 'X-SF-Signature', encoding: 'hex' },
  envelope: 'none',
  status: 'paused',
  eventTypes: ['device.enrolled'],
});

describe('recipe: device management', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const events: DeviceEvent[] = [];
  const receiver = createDeviceReceiver(SECRET, (e) => events.push(e));
  let url: string;

  beforeAll(async () => {
    t = await startTestHerald();
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sf`;
  });
  afterAll(async () => {
    receiver.close();
    await t.close();
  });

  it('activates, mocks, subscribes per type and shows the log', async () => {
    const { api } = t;
    const catalog = [
      {
        name: 'device.enrolled',
        group: 'Enrollment',
        example: { event: 'device.enrolled', deviceId: 'd-1', platform: 'ios' },
      },
      {
        name: 'device.unenrolled',
        group: 'Enrollment',
        example: { event: 'device.unenrolled', deviceId: 'd-1' },
      },
      {
        name: 'device.locked',
        group: 'Management',
        example: { event: 'device.locked', deviceId: 'd-1', by: 'admin' },
      },
      {
        name: 'device.os_updated',
        group: 'Device update',
        example: { event: 'device.os_updated', deviceId: 'd-1', os: '17.2' },
      },
    ];
    const sample = (name: string) => catalog.find((et) => et.name === name)!.example;
    for (const et of catalog) expect((await api.post('/v1/event-types', et)).status).toBe(201);
    const groups = (await api.get('/v1/event-catalog')).body.data;
    expect(groups.map((g: { group: string }) => g.group)).toEqual([
      'Device update',
      'Enrollment',
      'Management',
    ]);
    expect(groups[1].eventTypes[0].versions[0].example).toEqual(sample('device.enrolled'));

    await api.post('/v1/tenants', { id: 'school-9', name: 'School 9' });
    // Configured with another secret, the receiver refuses the signature: it really checks.
    const wrong = await api.post('/v1/tenants/school-9/endpoints/test', {
      ...sfEndpoint(url, 'another-secret-0042'),
      eventType: 'device.locked',
    });
    expect(wrong.body).toMatchObject({ status: 401, responseBody: 'invalid X-SF-Signature' });
    expect(events).toHaveLength(0);

    const created = await api.post('/v1/tenants/school-9/endpoints', sfEndpoint(url, SECRET));
    expect(created.body).toMatchObject({ status: 'paused', envelope: 'none', secret: SECRET });
    const ep = `/v1/tenants/school-9/endpoints/${created.body.id}`;

    // A mock event for a type not subscribed yet, while paused: sent, logged, not counted.
    // Its body is exactly the sample payload the catalog shows for the type.
    const mock = await api.post(`${ep}/test`, { eventType: 'device.locked' });
    expect(mock.body).toMatchObject({ status: 200, responseBody: 'received', error: null });
    expect(mock.body.request.body).toBe(JSON.stringify(sample('device.locked')));
    expect(events).toEqual([sample('device.locked')]);

    expect((await api.patch(ep, { status: 'active' })).body.status).toBe('active');
    expect((await api.patch(ep, { eventTypes: ['device.enrolled', 'device.locked'] })).status).toBe(200);
    await api.post('/v1/tenants/school-9/events', {
      type: 'device.locked',
      resource: 'd-7',
      data: { event: 'device.locked', deviceId: 'd-7', by: 'admin' },
    });
    await waitUntil('the live event', () => events.length >= 2);
    expect(events[1]).toEqual({ event: 'device.locked', deviceId: 'd-7', by: 'admin' });
    expect((await api.patch(ep, { eventTypes: ['device.enrolled'] })).status).toBe(200);
    const dropped = await api.post('/v1/tenants/school-9/events', {
      type: 'device.locked',
      data: { event: 'device.locked', deviceId: 'd-8', by: 'admin' },
    });
    expect(dropped.body.deliveries).toHaveLength(0);

    const summary = (await api.get('/v1/tenants/school-9/attempts/summary')).body;
    expect(summary).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    // The mock event is not in the event log, not even under its own request id and status.
    const log = (await api.get('/v1/tenants/school-9/attempts')).body.data;
    expect(log.map((a: { trigger: string }) => a.trigger)).toEqual(['scheduled']);
    const since = new Date(Date.now() - 60_000).toISOString();
    const query = `statusCode=200&since=${since}&requestId=${mock.body.requestId}`;
    expect((await api.get(`/v1/tenants/school-9/attempts?${query}`)).body.data).toEqual([]);
    const live = await api.get(`/v1/tenants/school-9/attempts?statusCode=200&since=${since}`);
    expect(live.body.data).toHaveLength(1);
    const shown = (await api.get(`/v1/tenants/school-9/attempts/${live.body.data[0].id}`)).body;
    expect(JSON.parse(shown.requestBody)).toEqual({ event: 'device.locked', deviceId: 'd-7', by: 'admin' });
    // Asked for, test sends are listed (and still never counted).
    const tests = (await api.get(`/v1/tenants/school-9/attempts?trigger=test&${query}`)).body.data;
    expect(tests).toHaveLength(1);
    expect(JSON.parse(tests[0].requestBody)).toEqual(sample('device.locked'));
  });
});
