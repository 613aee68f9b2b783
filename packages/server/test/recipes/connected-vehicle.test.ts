/**
 * Recipe: connected-vehicle API (docs/recipes/connected-vehicle.md): the
 * callback must pass the ownership challenge before any event is sent, then
 * gets a test payload, then receives only subscribed vehicles' events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVehicleReceiver,
  type VehicleMessage,
} from '../../../../docs/recipes/receivers/connected-vehicle/receiver.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('recipe: connected vehicle', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const events: VehicleMessage[] = [];
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    t = await startTestHerald();
    const app = await createVehicleReceiver({ secret: SECRET, onEvent: (e) => events.push(e) });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/vehicle-events`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close();
    await t.close();
  });

  it('verifies ownership, sends a test payload, then per-vehicle events only', async () => {
    const { api } = t;
    await api.post('/v1/event-types', {
      name: 'vehicle.location',
      group: 'Vehicle',
      example: { lat: 52.5, lon: 13.4 },
    });
    await api.post('/v1/event-types', { name: 'vehicle.charge', group: 'Vehicle' });
    await api.post('/v1/tenants', { id: 'fleet-co', name: 'Fleet Co' });

    // A wrong secret on the receiver side: the challenge fails and the endpoint stays pending.
    const wrong = await api.post('/v1/tenants/fleet-co/endpoints', {
      name: 'wrong secret',
      url,
      eventTypes: ['vehicle.*'],
      requireVerification: true,
    });
    const failed = await api.post(`/v1/tenants/fleet-co/endpoints/${wrong.body.id}/verify`);
    expect(failed.body).toMatchObject({ verified: false, status: 'pending_verification' });
    expect(failed.body.error).toMatch(/401|HMAC/);
    expect((await api.delete(`/v1/tenants/fleet-co/endpoints/${wrong.body.id}`)).status).toBe(204);

    const created = await api.post('/v1/tenants/fleet-co/endpoints', {
      name: 'fleet callback',
      url,
      eventTypes: ['vehicle.location', 'vehicle.charge'],
      secret: SECRET,
      requireVerification: true,
    });
    expect(created.body.status).toBe('pending_verification');
    const ep = `/v1/tenants/fleet-co/endpoints/${created.body.id}`;
    await api.put(`${ep}/resources/car-1`);

    // An event before verification waits; nothing reaches the callback.
    await api.post('/v1/tenants/fleet-co/events', {
      type: 'vehicle.location',
      resource: 'car-1',
      data: { lat: 1, lon: 2 },
    });
    expect(events).toEqual([]);

    const verified = await api.post(`${ep}/verify`);
    expect(verified.body).toMatchObject({ verified: true, status: 'active' });
    expect((await api.get(ep)).body.verifiedAt).not.toBeNull();
    await waitUntil('the parked event', () => events.length >= 1);
    expect(events[0]).toMatchObject({
      type: 'vehicle.location',
      resource: 'car-1',
      data: { lat: 1, lon: 2 },
    });

    const test = await api.post(`${ep}/test`, { eventType: 'vehicle.location' });
    expect(test.body).toMatchObject({ status: 200, error: null });
    expect(events[1]).toMatchObject({ type: 'vehicle.location', data: { lat: 52.5, lon: 13.4 } });

    await api.post('/v1/tenants/fleet-co/events', {
      type: 'vehicle.charge',
      resource: 'car-2',
      data: { level: 80 },
    });
    await api.put(`${ep}/resources/car-2`);
    await api.delete(`${ep}/resources/car-1`);
    const unsubscribed = await api.post('/v1/tenants/fleet-co/events', {
      type: 'vehicle.charge',
      resource: 'car-1',
      data: { level: 10 },
    });
    expect(unsubscribed.body.deliveries).toHaveLength(0);
    await api.post('/v1/tenants/fleet-co/events', {
      type: 'vehicle.charge',
      resource: 'car-2',
      data: { level: 81 },
    });
    await waitUntil('car-2 charge', () => events.length >= 3);
    expect(events.slice(2)).toEqual([expect.objectContaining({ resource: 'car-2', data: { level: 81 } })]);
  });
});
