/**
 * Transformations applied to real deliveries (docs/transformations.md): a
 * real Herald, real receivers on loopback, and the receiver's signature
 * check done by the `standardwebhooks` package over the bytes that arrived.
 * Hostile transforms (loops, allocation, escapes) fail their own attempts
 * with `error.kind = "transform"` while another endpoint keeps receiving.
 */
import { XMLParser } from 'fast-xml-parser';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, waitUntil } from '../helpers/api-client.ts';
import { startTestHerald } from '../helpers/in-process.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const T = '/v1/tenants/acme';

const RESHAPE = `
function handler(webhook) {
  const { data, type } = webhook.payload;
  webhook.payload = { event: type.replace('.', '_'), deviceId: data.deviceId, at: webhook.payload.timestamp };
  webhook.headers['X-Device'] = data.deviceId;
  webhook.method = 'PUT';
  webhook.url = webhook.url + '/reshaped';
  return webhook;
}`;

const HOSTILE: Record<string, { source: string; message: RegExp }> = {
  loop: { source: 'function handler(w) { while (true) {} }', message: /timed out after 100 ms/ },
  allocation: {
    source: 'function handler(w) { const a = []; for (;;) a.push("x".repeat(1e5) + a.length); }',
    message: /out of memory/,
  },
  requireFs: {
    source:
      'function handler(w) { w.payload = require("fs").readFileSync("/etc/passwd", "utf8"); return w; }',
    message: /'require' is not defined/,
  },
  processExit: {
    source: 'function handler(w) { process.exit(1); return w; }',
    message: /'process' is not defined/,
  },
  constructorEscape: {
    source:
      'function handler(w) { const p = globalThis.constructor.constructor("return process")(); p.exit(1); return w; }',
    message: /EvalError|not allowed|not supported/i,
  },
};

describe('transforms on deliveries', () => {
  let herald: Awaited<ReturnType<typeof startTestHerald>>;
  let api: ApiClient;
  let receiver: Receiver;

  const endpoint = async (body: Record<string, unknown>) => {
    const res = await api.post(`${T}/endpoints`, { url: `${receiver.url}/hooks`, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const send = async (type: string, data: unknown) => {
    const res = await api.post(`${T}/events`, { type, data });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const attemptsOf = async (endpointId: string, extra = '') =>
    (await api.get(`${T}/attempts?endpointId=${endpointId}${extra}`)).body.data as any[];
  const arrived = (path: string) => receiver.requests.filter((r) => r.url.startsWith(path));

  beforeAll(async () => {
    herald = await startTestHerald();
    api = herald.api;
    receiver = await startReceiver();
    expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
  });
  afterAll(async () => {
    await receiver?.close();
    await herald?.close();
  });

  it('sends the reshaped body, method, URL and headers, signed over the bytes sent', async () => {
    const ep = await endpoint({
      eventTypes: ['device.joined'],
      transform: RESHAPE,
      headers: { 'X-Team': 'ops' },
    });
    const id = await send('device.joined', { deviceId: 'dev-7', site: 'north' });
    await waitUntil('the reshaped request', () => arrived('/hooks/reshaped').length === 1, 10_000);
    const req = arrived('/hooks/reshaped')[0]!;
    expect(req.method).toBe('PUT');
    expect(req.headers['x-device']).toBe('dev-7');
    expect(req.headers['x-team']).toBe('ops');
    expect(req.headers['webhook-id']).toBe(id);
    // The receiver's own check, by the Standard Webhooks package: it fails unless the signature covers these bytes.
    const verified = new Webhook(ep.secret).verify(req.body, req.headers) as Record<string, unknown>;
    expect(verified).toEqual({ event: 'device_joined', deviceId: 'dev-7', at: expect.any(String) });
    const [attempt] = await attemptsOf(ep.id);
    expect(attempt.method).toBe('PUT');
    expect(attempt.url).toBe(`${receiver.url}/hooks/reshaped`);
    expect(attempt.succeeded).toBe(true);
  });

  it('cancels a delivery the transform cancels: nothing sent, logged, not retried', async () => {
    const ep = await endpoint({
      eventTypes: ['device.cancel'],
      transform:
        'function handler(w) { w.cancel = w.payload.data.skip === true; w.url += "/cancel"; return w; }',
    });
    const skipped = await send('device.cancel', { skip: true });
    const kept = await send('device.cancel', { skip: false });
    await waitUntil('the kept event', () => arrived('/hooks/cancel').length === 1, 10_000);
    expect(JSON.parse(arrived('/hooks/cancel')[0]!.body).data).toEqual({ skip: false });
    const event = await api.get(`${T}/events/${skipped}`);
    await waitUntil('the cancelled delivery', async () => {
      const e = await api.get(`${T}/events/${skipped}`);
      return e.body.deliveries[0]?.status === 'cancelled';
    });
    expect(event.status).toBe(200);
    const cancelled = await attemptsOf(ep.id, `&eventId=${skipped}`);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].error.kind).toBe('cancelled');
    expect(cancelled[0].responseStatus).toBeNull();
    const byFilter = await attemptsOf(ep.id, '&errorKind=transform');
    expect(byFilter.map((a) => a.eventId)).toEqual([skipped]);
    expect((await api.get(`${T}/events/${kept}`)).body.deliveries[0].status).toBe('succeeded');
  });

  it('fails hostile transforms with error.kind "transform" while other endpoints keep receiving', async () => {
    const hostile: Record<string, string> = {};
    // Retried at once, so each hostile endpoint fails more attempts in a row than open a circuit (5).
    const retry = { maxAttempts: 2, schedule: [0] };
    for (const [name, { source }] of Object.entries(HOSTILE)) {
      hostile[name] = (await endpoint({ eventTypes: ['device.hostile'], transform: source, retry })).id;
    }
    const healthy = await endpoint({ eventTypes: ['device.hostile'], url: `${receiver.url}/healthy` });
    const before = arrived('/healthy').length;
    for (let i = 0; i < 3; i++) await send('device.hostile', { n: i });
    await waitUntil(
      'the healthy endpoint to get every event',
      () => arrived('/healthy').length === before + 3,
      15_000,
    );
    for (const [name, id] of Object.entries(hostile)) {
      await waitUntil(`${name}'s attempts`, async () => (await attemptsOf(id)).length === 6, 15_000);
      for (const attempt of await attemptsOf(id)) {
        expect(attempt.error.kind, name).toBe('transform');
        expect(attempt.error.message, name).toMatch(HOSTILE[name]!.message);
        expect(attempt.responseStatus).toBeNull();
      }
    }
    // Nothing the hostile transforms did reached the receiver, and Herald still answers.
    expect(receiver.requests.some((r) => r.url.startsWith('/hooks') && r.body.includes('"n":'))).toBe(false);
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get(`${T}/endpoints/${healthy.id}`)).body.status).toBe('active');
    // A failing transform says nothing of the endpoint's health: its circuit stays closed.
    for (const id of Object.values(hostile)) {
      const ep = (await api.get(`${T}/endpoints/${id}`)).body;
      expect(ep.status).toBe('active');
      expect(ep.circuit).toMatchObject({ state: 'closed', failures: 0 });
    }
  });

  it('refuses a transform that does not compile, naming the field', async () => {
    const res = await api.post(`${T}/endpoints`, {
      url: `${receiver.url}/x`,
      transform: 'function handler(w) {',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('transform');
    expect(res.body.error.details[0].message).toMatch(/SyntaxError/);
    const none = await api.post(`${T}/endpoints`, { url: `${receiver.url}/x`, transform: 'const x = 1;' });
    expect(none.status).toBe(422);
    expect(none.body.error.details[0].message).toMatch(/does not define function handler/);
    const ep = await endpoint({ url: `${receiver.url}/x` });
    const patch = await api.patch(`${T}/endpoints/${ep.id}`, { transform: 'handler = 1 +' });
    expect(patch.status).toBe(422);
    expect((await api.get(`${T}/endpoints/${ep.id}`)).body.transform).toBeNull();
  });

  it('transforms a batch as one array, and XML after the transform', async () => {
    const ep = await endpoint({
      eventTypes: ['reading.taken'],
      url: `${receiver.url}/batch`,
      batch: { maxSize: 3, maxWaitMs: 200 },
      format: 'xml',
      transform:
        'function handler(w) { w.payload = w.payload.map((e) => ({ sensor: e.data.sensor, value: e.data.v * 10 })); return w; }',
    });
    for (let i = 0; i < 3; i++) await send('reading.taken', { sensor: `s${i}`, v: i });
    await waitUntil('the batch', () => arrived('/batch').length === 1, 10_000);
    const req = arrived('/batch')[0]!;
    expect(req.headers['content-type']).toBe('application/xml');
    // verify() parses JSON, so for XML the signature is recomputed by the package over the bytes received.
    const at = new Date(Number(req.headers['webhook-timestamp']) * 1000);
    const expected = new Webhook(ep.secret).sign(req.headers['webhook-id']!, at, req.body);
    expect(req.headers['webhook-signature']!.split(' ')).toContain(expected);
    const doc = new XMLParser().parse(req.body);
    expect(doc.webhooks.webhook).toEqual([
      { sensor: 's0', value: 0 },
      { sensor: 's1', value: 10 },
      { sensor: 's2', value: 20 },
    ]);
  });

  it('runs the transform on test sends and answers the transformed request', async () => {
    const ep = await endpoint({ url: `${receiver.url}/tested`, transform: RESHAPE });
    const res = await api.post(`${T}/endpoints/${ep.id}/test`, {
      eventType: 'device.joined',
      payload: { deviceId: 'dev-test' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    expect(res.body.request.method).toBe('PUT');
    expect(res.body.request.url).toBe(`${receiver.url}/tested/reshaped`);
    expect(res.body.request.headers['x-device']).toBe('dev-test');
    expect(JSON.parse(res.body.request.body)).toMatchObject({ event: 'device_joined', deviceId: 'dev-test' });
    const unsaved = await api.post(`${T}/endpoints/test`, {
      url: `${receiver.url}/tested`,
      transform: 'function handler(w) { throw new Error("no thanks"); }',
    });
    expect(unsaved.status).toBe(200);
    expect(unsaved.body.request).toBeNull();
    expect(unsaved.body.error).toEqual({ kind: 'transform', message: expect.stringMatching(/no thanks/) });
  });
});
