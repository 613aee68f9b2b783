/**
 * Recipe: device management (docs/recipes/device-management.md): URL and
 * secret, then activate; categories with sample payloads; mock events not
 * counted in the summary; subscribe/unsubscribe per event type; X-SF-Signature;
 * logs filtered by date, status code and request id, payload viewable.
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
      { name: 'device.enrolled', group: 'Enrollment', example: { deviceId: 'd-1', platform: 'ios' } },
      { name: 'device.unenrolled', group: 'Enrollment', example: { deviceId: 'd-1' } },
      { name: 'device.locked', group: 'Management', example: { deviceId: 'd-1', by: 'admin' } },
      { name: 'device.os_updated', group: 'Device update', example: { deviceId: 'd-1', os: '17.2' } },
    ];
    for (const et of catalog) expect((await api.post('/v1/event-types', et)).status).toBe(201);
    const groups = (await api.get('/v1/event-catalog')).body.data;
    expect(groups.map((g: { group: string }) => g.group)).toEqual([
      'Device update',
      'Enrollment',
      'Management',
    ]);
    expect(groups[1].eventTypes[0].versions[0].example).toEqual({ deviceId: 'd-1', platform: 'ios' });

    await api.post('/v1/tenants', { id: 'school-9', name: 'School 9' });
    const created = await api.post('/v1/tenants/school-9/endpoints', {
      url,
      secret: SECRET,
      signature: { scheme: 'hmac-sha256', header: 'X-SF-Signature', encoding: 'hex' },
      status: 'paused',
      eventTypes: ['device.enrolled'],
    });
    const ep = `/v1/tenants/school-9/endpoints/${created.body.id}`;

    // A mock event for a type not subscribed yet, while paused: sent, logged, not counted.
    const mock = await api.post(`${ep}/test`, { eventType: 'device.locked' });
    expect(mock.body).toMatchObject({ status: 200, responseBody: 'received', error: null });
    expect(events[0]).toMatchObject({ type: 'device.locked', data: { deviceId: 'd-1', by: 'admin' } });

    expect((await api.patch(ep, { status: 'active' })).body.status).toBe('active');
    expect((await api.patch(ep, { eventTypes: ['device.enrolled', 'device.locked'] })).status).toBe(200);
    await api.post('/v1/tenants/school-9/events', {
      type: 'device.locked',
      resource: 'd-7',
      data: { deviceId: 'd-7' },
    });
    await waitUntil('the live event', () => events.length >= 2);
    expect((await api.patch(ep, { eventTypes: ['device.enrolled'] })).status).toBe(200);
    const dropped = await api.post('/v1/tenants/school-9/events', {
      type: 'device.locked',
      data: { deviceId: 'd-8' },
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
    expect(JSON.parse(shown.requestBody)).toMatchObject({ type: 'device.locked', data: { deviceId: 'd-7' } });
    // Asked for, test sends are listed (and still never counted).
    const tests = (await api.get(`/v1/tenants/school-9/attempts?trigger=test&${query}`)).body.data;
    expect(tests).toHaveLength(1);
    expect(JSON.parse(tests[0].requestBody)).toMatchObject({ type: 'device.locked', data: { by: 'admin' } });
  });
});
