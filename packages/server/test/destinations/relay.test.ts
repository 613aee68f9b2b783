/**
 * The relay destination: the hub that hands relay:// deliveries to the
 * connected `herald listen` and waits for its answer, the kind in front of
 * it, and the two API routes a listener uses (the event stream and the
 * answer), over real HTTP.
 */
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../src/api/app.ts';
import { sseParser } from '../../src/cli/listen-support.ts';
import type { DestinationMessage } from '../../src/delivery/destinations/port.ts';
import { routeByScheme } from '../../src/delivery/destinations/registry.ts';
import type { RelayListener, RelayMessage } from '../../src/delivery/destinations/relay/hub.ts';
import { createRelayKind, RelayHub } from '../../src/delivery/destinations/relay/index.ts';
import { newId } from '../../src/domain/ids.ts';
import { waitUntil } from '../helpers/api-client.ts';
import { tempSqliteStore } from '../helpers/store.ts';

const message = (timeoutMs = 5000): DestinationMessage => ({
  headers: { 'webhook-id': 'evt_1', 'content-type': 'application/json' },
  body: '{"type":"device.updated"}',
  template: { type: 'device.updated', tenantId: 'acme', resource: null },
  timeoutMs,
});

function fakeListener() {
  const got: RelayMessage[] = [];
  const roles: boolean[] = [];
  let closed = 0;
  const listener: RelayListener = {
    deliver: (m) => got.push(m),
    setActive: (active) => roles.push(active),
    close: () => {
      closed += 1;
    },
  };
  return { listener, got, roles, closed: () => closed };
}

describe('the relay hub', () => {
  it('refuses as connection_refused when no herald listen is connected', async () => {
    const result = await new RelayHub().deliver('ep_1', message());
    expect(result.status).toBeNull();
    expect(result.verdict).toBeUndefined();
    expect(result.error).toEqual({
      kind: 'connection_refused',
      message: expect.stringMatching(/herald listen/),
    });
  });

  it("records the listener's answer as the response: status, lower-case headers, body, no verdict", async () => {
    const hub = new RelayHub();
    const l = fakeListener();
    hub.attach('ep_1', l.listener);
    const sent = hub.deliver('ep_1', message());
    expect(l.got).toHaveLength(1);
    expect(l.got[0]).toMatchObject({ eventType: 'device.updated', body: '{"type":"device.updated"}' });
    expect(l.got[0]!.headers['webhook-id']).toBe('evt_1');
    // Another endpoint cannot answer it; this one can, once.
    expect(hub.answer('ep_2', l.got[0]!.id, { status: 200, headers: {}, body: '' })).toBe(false);
    expect(hub.answer('ep_1', l.got[0]!.id, { status: 201, headers: { 'X-Trace': 'a' }, body: 'made' })).toBe(
      true,
    );
    expect(hub.answer('ep_1', l.got[0]!.id, { status: 500, headers: {}, body: '' })).toBe(false);
    const result = await sent;
    expect(result).toMatchObject({ status: 201, headers: { 'x-trace': 'a' }, body: 'made', error: null });
    expect(result.verdict).toBeUndefined();
  });

  it('keeps the first 64 KiB of a body, and takes an error answer as the attempt error', async () => {
    const hub = new RelayHub();
    const l = fakeListener();
    hub.attach('ep_1', l.listener);
    const long = hub.deliver('ep_1', message());
    hub.answer('ep_1', l.got[0]!.id, { status: 200, headers: {}, body: 'x'.repeat(70_000) });
    expect((await long).body).toHaveLength(65_536);
    const refused = hub.deliver('ep_1', message());
    const error = { kind: 'connection_refused' as const, message: 'herald listen could not reach http://x' };
    hub.answer('ep_1', l.got[1]!.id, { error });
    expect(await refused).toMatchObject({ status: null, error });
  });

  it("times out when the listener does not answer within the endpoint's timeout", async () => {
    const hub = new RelayHub();
    const l = fakeListener();
    hub.attach('ep_1', l.listener);
    const result = await hub.deliver('ep_1', message(50));
    expect(result.error).toMatchObject({ kind: 'timeout' });
    expect(hub.answer('ep_1', l.got[0]!.id, { status: 200, headers: {}, body: '' })).toBe(false);
  });

  it('fails what a listener had not answered at once as connection_reset when it disconnects', async () => {
    const hub = new RelayHub();
    const l = fakeListener();
    const connection = hub.attach('ep_1', l.listener);
    const sent = hub.deliver('ep_1', message(60_000));
    const started = Date.now();
    connection.detach();
    expect((await sent).error).toMatchObject({ kind: 'connection_reset' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(hub.listenerCount('ep_1')).toBe(0);
  });

  it('gives deliveries to the newest listener; the older waits on standby and takes over when it leaves', async () => {
    const hub = new RelayHub();
    const older = fakeListener();
    const newer = fakeListener();
    const first = hub.attach('ep_1', older.listener);
    const second = hub.attach('ep_1', newer.listener);
    expect(older.roles).toEqual([false]);
    expect([first.active, second.active]).toEqual([false, true]);
    void hub.deliver('ep_1', message());
    expect([older.got.length, newer.got.length]).toEqual([0, 1]);
    second.detach();
    expect(older.roles).toEqual([false, true]);
    void hub.deliver('ep_1', message());
    expect(older.got).toHaveLength(1);
    hub.close();
    expect(older.closed()).toBe(1);
    expect((await hub.deliver('ep_1', message())).error).toMatchObject({ kind: 'connection_refused' });
  });
});

describe('the relay kind', () => {
  const kind = createRelayKind(new RelayHub());
  const check = (url: string, options: Record<string, unknown> = {}) => kind.check(new URL(url), options);

  it('takes relay:// and relay://<label> without options', () => {
    expect(kind.schemes).toEqual(['relay']);
    expect(check('relay://')).toBeNull();
    expect(check('relay://laptop-1')).toBeNull();
    expect(check('relay://a/b')).toMatchObject({ path: 'url' });
    expect(check('relay://', { topic: 'x' })).toMatchObject({ path: 'destination' });
  });

  it("is reached through routeByScheme with the endpoint's id", async () => {
    const hub = new RelayHub();
    const l = fakeListener();
    hub.attach('ep_9', l.listener);
    const http = {
      send: async () => ({ status: 599, headers: null, body: null, durationMs: 0, error: null }),
      close: async () => {},
    };
    const sender = routeByScheme(http, [createRelayKind(hub)]);
    const sent = sender.send({
      url: 'relay://',
      method: 'POST',
      headers: { 'webhook-id': 'evt_9' },
      body: '{}',
      timeoutMs: 5000,
      destination: { endpointId: 'ep_9', options: {}, template: message().template },
    });
    await waitUntil('the listener to get the message', () => l.got.length === 1);
    hub.answer('ep_9', l.got[0]!.id, { status: 204, headers: {}, body: '' });
    expect((await sent).status).toBe(204);
  });
});

describe('the listen routes', () => {
  const ADMIN = 'hk_admin_relay_test_0001';
  const hub = new RelayHub();
  let app: FastifyInstance;
  let base: string;
  let cleanup: () => Promise<void>;
  let token: string;
  const call = async (method: string, path: string, body?: unknown, key = ADMIN) => {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    const temp = await tempSqliteStore();
    cleanup = temp.cleanup;
    const { store } = temp;
    await store.createApiKey({
      id: newId('key'),
      hash: hashKey(ADMIN),
      tenantId: null,
      name: 'a',
      createdAt: Date.now(),
      expiresAt: null,
    });
    app = await buildApi({ store, relay: hub, options: { version: '9.9.9' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const id of ['acme', 'other'])
      expect((await call('POST', '/v1/tenants', { id, name: id })).status).toBe(201);
    token = (await call('POST', '/v1/tenants/acme/tokens', { name: 't' })).body.token;
  });
  let closed = false;
  afterAll(async () => {
    if (!closed) await app.close();
    await cleanup();
  });

  it('streams deliveries of a relay:// endpoint to a tenant token and takes its answers', async () => {
    const ep = (
      await call('POST', '/v1/tenants/acme/endpoints', { url: 'relay://', requireVerification: false })
    ).body;
    const events: { event: string; data: any }[] = [];
    const res = await request(`${base}/v1/tenants/acme/endpoints/${ep.id}/listen`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const feed = sseParser((event, data) => events.push({ event, data: JSON.parse(data) }));
    const reading = (async () => {
      for await (const chunk of res.body) feed(chunk.toString());
    })();
    await waitUntil('ready', () => events.length === 1);
    expect(events[0]).toEqual({
      event: 'ready',
      data: expect.objectContaining({ endpointId: ep.id, tenantId: 'acme', url: 'relay://', active: true }),
    });
    expect(hub.listenerCount(ep.id)).toBe(1);
    const sent = hub.deliver(ep.id, message());
    await waitUntil('the delivery', () => events.length === 2);
    const d = events[1]!;
    expect(d.event).toBe('delivery');
    expect(d.data).toMatchObject({
      method: 'POST',
      eventType: 'device.updated',
      headers: { 'webhook-id': 'evt_1' },
    });
    const answer = `/v1/tenants/acme/endpoints/${ep.id}/listen/${d.data.id}`;
    expect(
      (await call('POST', answer, { status: 201, error: { kind: 'timeout', message: 'x' } }, token)).status,
    ).toBe(422);
    expect((await call('POST', answer, { body: 'no status' }, token)).status).toBe(422);
    // Another tenant's token does not reach it.
    const otherToken = (await call('POST', '/v1/tenants/other/tokens', { name: 't' })).body.token;
    expect((await call('POST', answer, { status: 200 }, otherToken)).status).toBe(404);
    expect((await call('POST', answer, { status: 201, body: 'ok' }, token)).status).toBe(204);
    expect(await sent).toMatchObject({ status: 201, body: 'ok' });
    expect((await call('POST', answer, { status: 201 }, token)).body.error.message).toMatch(/not waiting/);
    // A listener that goes away leaves the hub.
    res.body.destroy();
    await reading.catch(() => {});
    await waitUntil('the listener to leave', () => hub.listenerCount(ep.id) === 0);
  });

  it("answers 404 for another tenant's endpoint, 409 for one that is not relay://, 403 to portal sessions", async () => {
    const http = (await call('POST', '/v1/tenants/acme/endpoints', { url: 'https://hooks.example.com/x' }))
      .body;
    const relay = (
      await call('POST', '/v1/tenants/other/endpoints', { url: 'relay://', requireVerification: false })
    ).body;
    const conflict = await call('GET', `/v1/tenants/acme/endpoints/${http.id}/listen`, undefined, token);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/not to herald listen: set its url to relay:\/\//);
    expect((await call('GET', `/v1/tenants/acme/endpoints/${relay.id}/listen`)).status).toBe(404);
    expect(
      (await call('GET', `/v1/tenants/other/endpoints/${relay.id}/listen`, undefined, token)).status,
    ).toBe(404);
    const portal = await call('POST', '/v1/tenants/acme/portal-sessions', {});
    const portalKey = String(portal.body.url).split('#token=')[1];
    expect(
      (await call('GET', `/v1/tenants/acme/endpoints/${http.id}/listen`, undefined, portalKey)).status,
    ).toBe(403);
  });

  it('ends the streams when the API closes, and fails what they had not answered', async () => {
    const ep = (
      await call('POST', '/v1/tenants/acme/endpoints', { url: 'relay://', requireVerification: false })
    ).body;
    const res = await request(`${base}/v1/tenants/acme/endpoints/${ep.id}/listen`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const reading = res.body.text();
    await waitUntil('the listener to connect', () => hub.listenerCount(ep.id) === 1);
    const sent = hub.deliver(ep.id, message(60_000));
    closed = true;
    await app.close();
    expect(await reading).toMatch(/^event: ready\n[\s\S]*event: delivery\n/);
    expect((await sent).error).toMatchObject({ kind: 'connection_reset' });
  });
});
