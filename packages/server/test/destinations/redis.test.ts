/**
 * The Redis Streams kind against the Redis on 127.0.0.1:6379, each entry
 * read back with ioredis's own XRANGE and verified with the standardwebhooks
 * library.
 */
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationKind } from '../../src/delivery/destinations/port.ts';
import { createRedisKind } from '../../src/delivery/destinations/redis/index.ts';
import {
  DEFAULT_POLICY,
  eventually,
  LOOPBACK_ALLOWED,
  resultText,
  SECRET,
  sendThroughDrop,
  signedMessage,
  uniqueName,
  unusedPort,
} from './support.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const BROKER = 'redis://127.0.0.1:6379';
const prefix = uniqueName('herald_test');
let reader: Redis;
let proxy: TcpProxy;
const kinds: DestinationKind[] = [];

function kind(policy = LOOPBACK_ALLOWED, idleMs?: number): DestinationKind {
  const k = createRedisKind({ policy, ...(idleMs !== undefined ? { idleMs } : {}) });
  kinds.push(k);
  return k;
}

const target = (options: Record<string, unknown> = {}, url = BROKER) => ({
  key: uniqueName('ep'),
  url,
  options: { stream: `${prefix}.{{tenantId}}.events`, ...options },
});

/** A stream's entries as [id, fields as pairs]. */
async function entries(stream: string): Promise<[string, string[]][]> {
  return (await reader.xrange(stream, '-', '+')) as [string, string[]][];
}

function fieldsOf(pairs: string[]): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (let i = 2; i < pairs.length; i += 2) headers[pairs[i]!] = pairs[i + 1]!;
  expect(pairs[0]).toBe('body');
  return { body: pairs[1]!, headers };
}

beforeAll(async () => {
  reader = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await reader.connect();
  proxy = await startTcpProxy(6379);
});

afterAll(async () => {
  await Promise.all(kinds.map((k) => k.close()));
  await proxy.close();
  const keys = await reader.keys(`${prefix}*`);
  if (keys.length > 0) await reader.del(...keys);
  await reader.quit();
});

describe('redis kind', () => {
  it('appends the body unchanged with one field per header, verifiable by a Standard Webhooks library', async () => {
    const message = signedMessage({ resource: 'dev_9' });
    const result = await kind().send(
      target({ stream: `${prefix}.{{tenantId}}.{{type}}.{{resource}}` }),
      message,
    );
    const stream = `${prefix}.tn_acme.device.enrolled.dev_9`;

    expect(result).toMatchObject({ status: null, headers: null, error: null, verdict: 'success' });
    const [[id, pairs]] = (await entries(stream)) as [[string, string[]]];
    expect(result.body).toBe(`XADD ${id} to stream "${stream}"`);
    const { body, headers } = fieldsOf(pairs);
    expect(Buffer.from(body, 'utf8').equals(Buffer.from(message.body, 'utf8'))).toBe(true);
    expect(headers).toEqual(message.headers);
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(JSON.parse(message.body));
  });

  it('trims with MAXLEN ~ and renders a missing resource as empty', async () => {
    const k = kind();
    const t = target({ stream: `${prefix}.trim{{resource}}`, maxLen: 5 });
    for (let i = 0; i < 300; i++) expect((await k.send(t, signedMessage())).verdict).toBe('success');
    const length = await reader.xlen(`${prefix}.trim`);
    // `~` lets Redis trim whole nodes only: fewer than were sent, at least the limit.
    expect(length).toBeLessThan(300);
    expect(length).toBeGreaterThanOrEqual(5);
  });

  it('shares one connection between concurrent sends of one endpoint, and closes it when idle', async () => {
    const k = kind(LOOPBACK_ALLOWED, 200);
    const t = target({}, `redis://127.0.0.1:${proxy.port}`);
    const before = proxy.accepted;
    const results = await Promise.all(Array.from({ length: 20 }, () => k.send(t, signedMessage())));
    expect(results.every((r) => r.verdict === 'success')).toBe(true);
    expect(proxy.accepted - before).toBe(1);
    await eventually(() => (proxy.open === 0 ? true : undefined));
    expect((await k.send(t, signedMessage())).verdict).toBe('success');
    expect(proxy.accepted - before).toBe(2);
  });

  it('fails retryably and quickly when no server listens', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await kind().send(target({}, `redis://127.0.0.1:${port}`), signedMessage());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ verdict: 'retryable', status: null, body: null });
    expect(result.error).toEqual({
      kind: 'connection_refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });

  it('recovers from a dropped connection mid-run, and everything reported as sent arrived', async () => {
    const k = kind();
    const t = target({ stream: `${prefix}.drop` }, `redis://127.0.0.1:${proxy.port}`);
    const run = await sendThroughDrop(proxy, (m) => k.send(t, m));
    expect(run.failures.length).toBeGreaterThanOrEqual(4);
    for (const r of run.failures) {
      expect(r.verdict).toBe('retryable');
      expect(['connection_reset', 'connection_refused']).toContain(r.error?.kind);
    }
    expect(run.recovered).toBeGreaterThanOrEqual(10);
    const ids = (await entries(`${prefix}.drop`)).map(([, pairs]) => fieldsOf(pairs).headers['webhook-id']);
    for (const id of run.sent) expect(ids).toContain(id);
  });

  it('reports a key of another type as a broker refusal', async () => {
    const key = `${prefix}.notastream`;
    await reader.set(key, 'x');
    const result = await kind().send(target({ stream: key }), signedMessage());
    expect(result.verdict).toBe('retryable');
    expect(result.error?.message).toMatch(/WRONGTYPE.*choose another destination\.stream/);
  });

  it('refuses a private address when the policy forbids it, before connecting', async () => {
    const k = kind(DEFAULT_POLICY);
    const before = proxy.accepted;
    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await k.send(target({}, `redis://${host}:${proxy.port}`), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('private_network');
    }
    expect(proxy.accepted).toBe(before);
  });

  it('never shows the password', async () => {
    const password = 'pw-Secret%2F42';
    const wrong = await kind().send(target({}, `redis://herald:${password}@127.0.0.1:6379`), signedMessage());
    expect(wrong.verdict).toBe('retryable');
    expect(wrong.error?.message).toMatch(/WRONGPASS|NOAUTH|AUTH/);
    for (const secret of [password, 'pw-Secret/42']) expect(resultText(wrong)).not.toContain(secret);
  });
});

describe('redis check', () => {
  const k = createRedisKind({ policy: LOOPBACK_ALLOWED });
  const check = (url: string, options: Record<string, unknown>) => k.check(new URL(url), options);

  it('accepts good URLs and options', () => {
    expect(
      check('redis://u:p@redis.example.com:6379/2', { stream: '{{tenantId}}.events', maxLen: 1000 }),
    ).toBeNull();
    expect(check('rediss://redis.example.com', { stream: 'events' })).toBeNull();
  });

  it.each([
    ['redis://host/db1', { stream: 's' }, 'url', /path is a database number/],
    ['redis://host', {}, 'destination', /stream is required/],
    [
      'redis://host',
      { stream: 's', maxlen: 5 },
      'destination',
      /no option "maxlen"; the options are "stream", "maxLen"/,
    ],
    ['redis://host', { stream: 7 }, 'destination', /stream must be a string/],
    ['redis://host', { stream: 's', maxLen: 0 }, 'destination', /maxLen must be a whole number from 1/],
    [
      'redis://host',
      { stream: 's', maxLen: '5' },
      'destination',
      /maxLen must be a whole number.*the string "5"/,
    ],
    ['redis://host', { stream: '{{tenant}}' }, 'destination', /unknown placeholder "\{\{tenant\}\}"/],
    ['redis://host', { stream: '' }, 'destination', /is empty/],
  ])('refuses %s %j', (url, options, path, message) => {
    const problem = check(url, options);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });
});
