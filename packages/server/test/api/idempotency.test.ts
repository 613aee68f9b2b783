/**
 * The same idempotency key answers the first result again for the same
 * event, and `409 idempotency_conflict` (storing nothing) for a different
 * one, on both stores, over the HTTP API and from embedding's `send`.
 * "The same event": type, resource and data compared as JSON values (key
 * order and spelling do not matter), and the version when the request names one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHerald, HeraldError } from '../../src/index.ts';
import { dropSchema, pgUrlFor, uniqueSchema } from '../helpers/pg.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

describe.each(API_STORE_KINDS)('idempotency keys on $name', (kind) => {
  let h: StoreApi;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    await h.tenant('acme');
    await h.call('POST', '/v1/event-types', { name: 'order.created' });
    await h.call('POST', '/v1/tenants/acme/endpoints', { url: 'https://example.com/hooks' });
  });
  afterEach(async () => h?.close());

  const send = (body: unknown, headers?: Record<string, string>) =>
    h.call('POST', '/v1/tenants/acme/events', body, headers ? { headers } : {});
  const stored = async () => (await h.store.listEvents('acme', {}, { limit: 100 })).data;
  const first = {
    type: 'order.created',
    resource: 'order-1',
    data: { id: 42, lines: [{ sku: 'a', qty: 1 }] },
  };

  it.skipIf(kind.skip)(
    'answers the same event with the first result, however its JSON is spelled',
    async () => {
      const original = await send({ ...first, idempotencyKey: 'k1' });
      expect(original.status).toBe(202);
      expect(original.headers['idempotent-replayed']).toBeUndefined();
      const respelled =
        '{ "idempotencyKey": "k1", "data": {"lines": [{"qty": 1.0, "sku": "a"}], "id": 4.2e1},' +
        ' "resource": "order-1", "type": "order.created" }';
      for (const again of [
        await send({ ...first, idempotencyKey: 'k1' }),
        await send(respelled),
        await send(first, { 'idempotency-key': 'k1' }),
      ]) {
        expect(again.status).toBe(202);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body).toEqual(original.body);
      }
      expect(await stored()).toHaveLength(1);
    },
  );

  it.skipIf(kind.skip).each([
    ['data', { data: { id: 43, lines: [{ sku: 'a', qty: 1 }] } }],
    [
      'data',
      {
        data: {
          id: 42,
          lines: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 1 },
          ],
        },
      },
    ],
    ['type', { type: 'order.updated' }],
    ['resource', { resource: 'order-2' }],
    ['resource', { resource: null }],
  ])('answers 409 idempotency_conflict for a different %s, storing nothing', async (field, change) => {
    const original = await send({ ...first, idempotencyKey: 'k1' });
    const conflict = await send({ ...first, ...change, idempotencyKey: 'k1' });
    const error = expectError(conflict, 409, 'idempotency_conflict');
    expect(error.message).toBe(
      `idempotency key 'k1' was already used for event ${original.body.id}, which differs in ${field}; ` +
        'use a new key for a new event, or send the same event again to get the first answer; nothing was stored',
    );
    expect(error.details).toEqual({
      index: 0,
      idempotencyKey: 'k1',
      eventId: original.body.id,
      differs: [field],
    });
    const events = await stored();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.payload)).toEqual(first.data);
    expect(await h.store.countDeliveries({})).toBe(1);
  });

  it.skipIf(kind.skip)('compares the version only when the request names one', async () => {
    const original = await send({ ...first, idempotencyKey: 'k1' });
    // The catalog gains a version after the first send: the same request sent again is still the same event.
    await h.call('POST', '/v1/event-types', { name: 'order.created', version: 2 });
    const retried = await send({ ...first, idempotencyKey: 'k1' });
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(original.body.id);
    expect((await send({ ...first, version: 1, idempotencyKey: 'k1' })).status).toBe(202);
    const other = expectError(
      await send({ ...first, version: 2, idempotencyKey: 'k1' }),
      409,
      'idempotency_conflict',
    );
    expect(other.details).toMatchObject({ differs: ['version'] });
    expect(await stored()).toHaveLength(1);
  });

  it.skipIf(kind.skip)('refuses a whole batch when one event conflicts, naming its index', async () => {
    await send({ ...first, idempotencyKey: 'k1' });
    const batch = await h.call('POST', '/v1/tenants/acme/events/batch', {
      events: [
        { type: 'order.created', data: { id: 7 }, idempotencyKey: 'k-new' },
        { ...first, data: { id: 8 }, idempotencyKey: 'k1' },
      ],
    });
    const error = expectError(batch, 409, 'idempotency_conflict');
    expect(error.message).toMatch(/^events\[1\]: idempotency key 'k1' was already used/);
    expect(await stored()).toHaveLength(1);
    expect(await h.store.findEventByIdempotencyKey('acme', 'k-new')).toBeNull();
  });
});

describe.each(API_STORE_KINDS)("embedding's send on $name", (kind) => {
  it.skipIf(kind.skip)('throws idempotency_conflict for a different event under a used key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-idem-'));
    const schema = uniqueSchema('embed_idem');
    const herald = await createHerald({
      databaseUrl: kind.name === 'sqlite' ? `sqlite:${join(dir, 'herald.db')}` : pgUrlFor(schema),
      settings: { logLevel: 'silent', apiKey: 'hk_embed_idempotency_test_key_01' },
      env: {},
      config: { tenants: [{ id: 'acme' }] },
    });
    try {
      const sent = await herald.send('acme', { type: 'a.b', data: { n: 1 } }, { idempotencyKey: 'k' });
      const again = await herald.send('acme', { type: 'a.b', data: { n: 1 } }, { idempotencyKey: 'k' });
      expect(again).toEqual({ ...sent, duplicate: true });
      const conflict = herald.send('acme', { type: 'a.b', data: { n: 2 } }, { idempotencyKey: 'k' });
      await expect(conflict).rejects.toBeInstanceOf(HeraldError);
      await expect(conflict).rejects.toMatchObject({ code: 'idempotency_conflict' });
      const batch = herald.sendBatch('acme', [
        { type: 'a.b', data: 3, idempotencyKey: 'fresh' },
        { type: 'a.c', data: { n: 1 }, idempotencyKey: 'k' },
      ]);
      await expect(batch).rejects.toMatchObject({ code: 'idempotency_conflict' });
      const fresh = await herald.send('acme', { type: 'a.b', data: 3 }, { idempotencyKey: 'fresh' });
      expect(fresh.duplicate).toBe(false);
    } finally {
      await herald.stop();
      rmSync(dir, { recursive: true, force: true });
      if (kind.name === 'postgres') await dropSchema(schema);
    }
  });
});
