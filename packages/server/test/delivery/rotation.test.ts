/**
 * Secret rotation takes effect at once in the process that rotated: the
 * first delivery sent after `POST …/secret/rotate` answers is signed with the
 * new secret (checked by the independent `standardwebhooks` verifier), and
 * with `graceMs: 0` never with the secret just discarded, though the
 * worker's endpoint cache was warm with the old one.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let api: ApiClient;
let receiver: Receiver;
let endpointId: string;
let firstSecret: string;

const verifies = (secret: string, index: number): boolean => {
  const request = receiver.requests[index]!;
  try {
    new Webhook(secret).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
};

async function sendAndReceive(n: number): Promise<void> {
  expect((await api.post('/v1/tenants/acme/events', { type: 'device.enrolled', data: { n } })).status).toBe(
    202,
  );
  await receiver.waitFor(n);
}

beforeAll(async () => {
  herald = await startTestHerald();
  api = herald.api;
  receiver = await startReceiver();
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  const created = await api.post('/v1/tenants/acme/endpoints', { url: `${receiver.url}/hook` });
  endpointId = created.body.id;
  firstSecret = created.body.secret;
  // A first delivery puts the endpoint, with its secret, in the worker's cache.
  await sendAndReceive(1);
  expect(verifies(firstSecret, 0)).toBe(true);
});

afterAll(async () => {
  await herald?.close();
  await receiver?.close();
});

describe('secret rotation', () => {
  it('signs the next delivery with the new secret and, after graceMs 0, never with the discarded one', async () => {
    const rotated = await api.post(`/v1/tenants/acme/endpoints/${endpointId}/secret/rotate`, { graceMs: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousExpiresAt).toBeNull();
    await sendAndReceive(2);
    expect(verifies(rotated.body.secret, 1)).toBe(true);
    expect(verifies(firstSecret, 1)).toBe(false);
    expect(receiver.requests[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
  });

  it('during a grace period signs with both, the new secret first', async () => {
    const before = (await api.get(`/v1/tenants/acme/endpoints/${endpointId}/secret`)).body.secret as string;
    const rotated = await api.post(`/v1/tenants/acme/endpoints/${endpointId}/secret/rotate`, {
      graceMs: 60_000,
    });
    expect(rotated.status).toBe(200);
    await sendAndReceive(3);
    expect(verifies(rotated.body.secret, 2)).toBe(true);
    expect(verifies(before, 2)).toBe(true);
    expect(receiver.requests[2]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
  });
});
