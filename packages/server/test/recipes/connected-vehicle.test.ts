/**
 * Recipe: connected-vehicle API (docs/recipes/connected-vehicle.md), end to
 * end against a real Herald and the recipe's receiver on loopback. The
 * receiver is written from the platform's docs with the platform's own SDK
 * (`smartcar`): it answers the platform's `verify` challenge with
 * `hashChallenge` and checks `SC-Signature` with `verifyPayload`. Nothing in
 * it knows Herald, so passing proves the endpoint config speaks the
 * platform's shapes: events wait until the challenge passes, then arrive
 * signed, then only subscribed vehicles' events.
 */
import { Readable } from 'node:stream';
import smartcar from 'smartcar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVehicleReceiver,
  type VehicleWebhook,
} from '../../../../docs/recipes/receivers/connected-vehicle/receiver.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';

/** An application management token: the endpoint's secret, not a whsec_ secret. */
const AMT = '3f6c1b2e-9d4a-4e7b-8c21-5a0f9e7d6b43';
const TENANT = '/v1/tenants/fleet-co';

/** The endpoint config the recipe documents, with the callback's URL and token. */
const fleetCallback = (url: string, secret: string) => ({
  name: 'fleet callback',
  url,
  eventTypes: ['vehicle.charge', 'vehicle.location'],
  secret,
  signature: { scheme: 'hmac-sha256', header: 'SC-Signature', encoding: 'hex' },
  envelope: 'none',
  verification: {
    request: { eventName: 'verify', payload: { challenge: '{{challenge}}' } },
    answerField: 'challenge',
  },
  requireVerification: true,
});

/** An event-based webhook body as the platform documents it (version 2.0). */
const chargeEvent = (vehicleId: string, eventType: string): VehicleWebhook => ({
  version: '2.0',
  webhookId: 'wh_fleet',
  eventName: 'eventBased',
  mode: 'live',
  payload: { eventId: `${vehicleId}-${eventType}`, vehicleId, eventType, eventTime: '2026-01-15T12:00:00Z' },
});

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

describe('recipe: connected vehicle', () => {
  let t: Awaited<ReturnType<typeof startTestHerald>>;
  const events: VehicleWebhook[] = [];
  /** Every request the callback got, with its exact bytes (kept before Fastify parses them). */
  const seen: Seen[] = [];
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    t = await startTestHerald();
    const app = await createVehicleReceiver({ managementToken: AMT, onEvent: (e) => events.push(e) });
    app.addHook('preParsing', async (request, _reply, payload) => {
      const chunks: Buffer[] = [];
      for await (const chunk of payload) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      seen.push({ headers: request.headers, raw: raw.toString('utf8') });
      return Readable.from([raw]);
    });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/vehicle-events`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close();
    await t.close();
  });

  it('holds events until the platform-shaped challenge passes, then delivers them signed', async () => {
    const { api } = t;
    await api.post('/v1/event-types', {
      name: 'vehicle.charge',
      group: 'Vehicle',
      example: chargeEvent('vehicle-test', 'CHARGING_STARTED'),
    });
    await api.post('/v1/event-types', { name: 'vehicle.location', group: 'Vehicle' });
    await api.post('/v1/tenants', { id: 'fleet-co', name: 'Fleet Co' });

    // A different token on Herald's side: the callback refuses the challenge's signature.
    const wrong = await api.post(`${TENANT}/endpoints`, fleetCallback(url, 'not-the-management-token'));
    const failed = await api.post(`${TENANT}/endpoints/${wrong.body.id}/verify`);
    expect(failed.body).toMatchObject({ verified: false, status: 'pending_verification' });
    expect(failed.body.error).toContain('answered 401');
    expect((await api.delete(`${TENANT}/endpoints/${wrong.body.id}`)).status).toBe(204);

    const created = await api.post(`${TENANT}/endpoints`, fleetCallback(url, AMT));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending_verification', secret: AMT });
    const ep = `${TENANT}/endpoints/${created.body.id}`;
    await api.put(`${ep}/resources/car-1`);

    // Sent while unverified: accepted, parked (no due time), and nothing reaches the callback.
    const early = await api.post(`${TENANT}/events`, {
      type: 'vehicle.charge',
      resource: 'car-1',
      data: chargeEvent('car-1', 'CHARGING_STARTED'),
    });
    expect(early.status).toBe(202);
    const parked = await api.get(`${TENANT}/events/${early.body.id}`);
    expect(parked.body.deliveries).toEqual([
      expect.objectContaining({ status: 'pending', attempts: 0, nextAttemptAt: null }),
    ]);
    const requestsBefore = seen.length;

    const verified = await api.post(`${ep}/verify`);
    expect(verified.body).toMatchObject({ verified: true, status: 'active' });
    expect((await api.get(ep)).body.verifiedAt).not.toBeNull();

    // The challenge went out in the platform's shape, signed over the exact bytes sent.
    const challenge = seen[requestsBefore]!;
    const asked = JSON.parse(challenge.raw);
    expect(asked).toEqual({
      eventName: 'verify',
      payload: { challenge: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(challenge.raw).toBe(JSON.stringify(asked));
    expect(challenge.headers['sc-signature']).toBe(smartcar.hashChallenge(AMT, challenge.raw));
    expect(challenge.headers['content-type']).toBe('application/json');

    // The held event is delivered: the platform's body as the whole body, SC-Signature over it.
    await waitUntil('the held event', () => events.length >= 1);
    expect(events[0]).toEqual(chargeEvent('car-1', 'CHARGING_STARTED'));
    const delivered = seen.at(-1)!;
    const signature = delivered.headers['sc-signature'] as string;
    // verifyPayload hashes JSON.stringify(body), so it takes the parsed body; the raw bytes hash the same.
    expect(smartcar.verifyPayload(AMT, signature, JSON.parse(delivered.raw))).toBe(true);
    expect(smartcar.hashChallenge(AMT, delivered.raw)).toBe(signature);
    expect(smartcar.verifyPayload('another-token-123', signature, JSON.parse(delivered.raw))).toBe(false);
    const done = await api.get(`${TENANT}/events/${early.body.id}`);
    expect(done.body.deliveries[0]).toMatchObject({ status: 'succeeded', lastStatusCode: 200 });

    // A test payload: the catalog's example, in the same shape and signature.
    const test = await api.post(`${ep}/test`, { eventType: 'vehicle.charge' });
    expect(test.body).toMatchObject({ status: 200, error: null });
    expect(events[1]).toEqual(chargeEvent('vehicle-test', 'CHARGING_STARTED'));

    // Only subscribed vehicles: car-1 is unsubscribed, car-2 subscribed.
    await api.put(`${ep}/resources/car-2`);
    await api.delete(`${ep}/resources/car-1`);
    const unsubscribed = await api.post(`${TENANT}/events`, {
      type: 'vehicle.charge',
      resource: 'car-1',
      data: chargeEvent('car-1', 'CHARGING_STOPPED'),
    });
    expect(unsubscribed.body.deliveries).toHaveLength(0);
    await api.post(`${TENANT}/events`, {
      type: 'vehicle.charge',
      resource: 'car-2',
      data: chargeEvent('car-2', 'CHARGING_COMPLETED'),
    });
    await waitUntil('car-2 charge', () => events.length >= 3);
    expect(events.slice(2)).toEqual([chargeEvent('car-2', 'CHARGING_COMPLETED')]);
  });
});
