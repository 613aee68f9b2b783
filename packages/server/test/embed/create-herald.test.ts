/**
 * `createHerald` from code: events sent in-process reach a real receiver,
 * signed so that the independent `standardwebhooks` package verifies them;
 * bad input fails with the HTTP API's own codes and details; a batch is all
 * or nothing; `stop` is final.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerald, type Herald, HeraldError } from '../../src/index.ts';
import { type Receiver, startReceiver } from '../helpers/receiver.ts';

const SECRET = `whsec_${Buffer.from('embedded-herald-test-secret-0001').toString('base64')}`;
const ADMIN_KEY = 'hk_embed_test_admin_key_0000001';

let dir: string;
let receiver: Receiver;
let herald: Herald;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-embed-'));
  receiver = await startReceiver();
  herald = await createHerald({
    databaseUrl: `sqlite:${join(dir, 'webhooks.db')}`,
    settings: { allowPrivateNetworks: '127.0.0.0/8', logLevel: 'silent', apiKey: ADMIN_KEY },
    env: {},
    config: {
      eventTypes: [
        {
          name: 'content.create',
          schema: { type: 'object', required: ['entry'], properties: { entry: { type: 'integer' } } },
        },
      ],
      tenants: [
        {
          id: 'cms',
          endpoints: [
            { name: 'site', url: `${receiver.url}/hooks`, secret: SECRET, eventTypes: ['content.*'] },
          ],
        },
      ],
    },
    listen: { host: '127.0.0.1', port: 0 },
  });
});

afterAll(async () => {
  await herald?.stop();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function httpSend(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${herald.url}/v1/tenants/cms/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function embeddedError(send: () => Promise<unknown>): Promise<HeraldError> {
  const err = await send().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HeraldError);
  return err as HeraldError;
}

describe('createHerald', () => {
  it('delivers what send accepted, signed for any Standard Webhooks verifier', async () => {
    const accepted = await herald.send('cms', { type: 'content.create', data: { entry: 42 } });
    expect(accepted.id).toMatch(/^evt_/);
    expect(accepted.deliveries).toHaveLength(1);
    await receiver.waitFor(1);
    const request = receiver.requests[0]!;
    const verified = new Webhook(SECRET).verify(request.body, request.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({ id: accepted.id, type: 'content.create', data: { entry: 42 } });
    expect(request.headers['webhook-id']).toBe(accepted.id);
  });

  it('answers the first result again for a repeated idempotency key', async () => {
    const first = await herald.send(
      'cms',
      { type: 'content.create', data: { entry: 1 } },
      { idempotencyKey: 'k-1' },
    );
    const again = await herald.send(
      'cms',
      { type: 'content.create', data: { entry: 1 } },
      { idempotencyKey: 'k-1' },
    );
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('refuses what the HTTP API refuses, with the same code and message', async () => {
    const cases: unknown[] = [
      { type: 'content.create', data: { entry: 'not a number' } },
      { type: 'content.create' },
      { type: 'content.create', data: {}, colour: 'red' },
      { type: 'Not A Type!', data: {} },
      { type: 'content.create', data: { entry: 1 }, version: 7 },
    ];
    for (const body of cases) {
      const http = await httpSend(body);
      const err = await embeddedError(() => herald.send('cms', body as never));
      const httpError = http.json.error as { code: string; message: string };
      expect(http.status, JSON.stringify(body)).toBe(422);
      expect(err.code).toBe(httpError.code);
      // The HTTP API names the request body, embedding names the event: the rest is the same.
      expect(err.message.replace(/^event\./, '')).toBe(httpError.message.replace(/^body\./, ''));
    }
  });

  it('answers not_found for an unknown tenant and payload_too_large past the body limit', async () => {
    expect((await embeddedError(() => herald.send('nobody', { type: 'a.b', data: {} }))).code).toBe(
      'not_found',
    );
    const big = { type: 'content.create', data: { entry: 1, pad: 'x'.repeat(300 * 1024) } };
    expect((await embeddedError(() => herald.send('cms', big))).code).toBe('payload_too_large');
  });

  it('stores a batch all or nothing', async () => {
    const before = receiver.requests.length;
    const err = await embeddedError(() =>
      herald.sendBatch('cms', [
        { type: 'content.create', data: { entry: 1 } },
        { type: 'content.create', data: { entry: 'two' } },
      ]),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.message).toMatch(/^events\[1\]\.data\.entry /);
    const ok = await herald.sendBatch('cms', [
      { type: 'content.create', data: { entry: 10 } },
      { type: 'content.create', data: { entry: 11 } },
    ]);
    expect(ok).toHaveLength(2);
    await receiver.waitFor(before + 2);
    const entries = receiver.requests
      .slice(before)
      .map((r) => (JSON.parse(r.body) as { data: { entry: number } }).data.entry);
    expect(entries.sort()).toEqual([10, 11]);
  });

  it('refuses unknown settings by name', async () => {
    await expect(
      createHerald({ env: {}, settings: { alowPrivateNetworks: 'true' } as never }),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining("unknown setting 'alowPrivateNetworks'"),
    });
  });

  it('takes no events after stop', async () => {
    const other = await createHerald({
      databaseUrl: `sqlite:${join(dir, 'other.db')}`,
      env: {},
      settings: { logLevel: 'silent' },
      config: { tenants: [{ id: 't' }] },
    });
    expect(other.url).toBeNull();
    await other.send('t', { type: 'a.b', data: {} });
    await other.stop();
    await other.stop();
    expect((await embeddedError(() => other.send('t', { type: 'a.b', data: {} }))).code).toBe('unavailable');
  });
});
