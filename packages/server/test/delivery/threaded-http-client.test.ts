import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundRequest } from '../../src/delivery/http-client.ts';
import { createThreadedHttpClient } from '../../src/delivery/threaded-http-client.ts';
import { startReceiver } from '../helpers/receiver.ts';

function post(url: string, n: number): OutboundRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-n': String(n) },
    body: JSON.stringify({ n }),
    timeoutMs: 5000,
  };
}

describe('http client in a sender thread', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let hang: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver((req) => ({
      status: req.headers['x-n'] === '3' ? 503 : 200,
      body: `got ${req.headers['x-n']}`,
    }));
    hang = await startReceiver(() => ({ hang: true }));
  });
  afterAll(async () => {
    await receiver.close();
    await hang.close();
  });

  it('sends many requests at once and gives each its own answer', async () => {
    const client = createThreadedHttpClient({ allowPrivateNetworks: '127.0.0.0/8' });
    try {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, n) => client.send(post(`${receiver.url}/in`, n))),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 50 }, (_, n) => (n === 3 ? 503 : 200)),
      );
      expect(results.map((r) => r.body)).toEqual(Array.from({ length: 50 }, (_, n) => `got ${n}`));
      const bodies = receiver.requests
        .slice(-50)
        .map((r) => JSON.parse(r.body).n)
        .sort((a, b) => a - b);
      expect(bodies).toEqual(Array.from({ length: 50 }, (_, n) => n));
    } finally {
      await client.close();
    }
  });

  it('applies the same network policy as in the main thread', async () => {
    const client = createThreadedHttpClient({ allowPrivateNetworks: undefined });
    try {
      const result = await client.send(post(`${receiver.url}/in`, 0));
      expect(result.status).toBeNull();
      expect(result.error?.kind).toBe('private_network');
    } finally {
      await client.close();
    }
  });

  it('fails the requests in flight when the thread dies, and starts a new one for the next', async () => {
    const client = createThreadedHttpClient({ allowPrivateNetworks: '127.0.0.0/8' });
    try {
      const stuck = client.send(post(`${hang.url}/in`, 1));
      await hang.waitFor(1);
      await client.crashThread();
      const lost = await stuck;
      expect(lost.status).toBeNull();
      expect(lost.error).toEqual({
        kind: 'network',
        message: "Herald's sender thread stopped before the response arrived",
      });
      expect((await client.send(post(`${receiver.url}/in`, 7))).status).toBe(200);
    } finally {
      await client.close();
    }
  });

  it('refuses requests once closed', async () => {
    const client = createThreadedHttpClient({ allowPrivateNetworks: '127.0.0.0/8' });
    expect((await client.send(post(`${receiver.url}/in`, 8))).status).toBe(200);
    await client.close();
    await expect(client.send(post(`${receiver.url}/in`, 9))).rejects.toThrow('the HTTP client is closed');
  });
});
