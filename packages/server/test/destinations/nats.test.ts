/**
 * The NATS kind against the nats-server (JetStream enabled) on
 * 127.0.0.1:4222, each message read back by nats.js's own JetStream consumer
 * on a test stream (or a core subscription), and verified with the
 * standardwebhooks library.
 */
import { connect, type JetStreamManager, type MsgHdrs, type NatsConnection } from 'nats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsKind } from '../../src/delivery/destinations/nats/index.ts';
import type { DestinationKind } from '../../src/delivery/destinations/port.ts';
import {
  DEFAULT_POLICY,
  LOOPBACK_ALLOWED,
  resultText,
  SECRET,
  sendThroughDrop,
  signedMessage,
  silentServer,
  uniqueName,
  unusedPort,
} from './support.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const BROKER = 'nats://127.0.0.1:4222';
const prefix = uniqueName('herald_test');
const stream = prefix.toUpperCase();
let nc: NatsConnection;
let jsm: JetStreamManager;
let proxy: TcpProxy;
const kinds: DestinationKind[] = [];

function kind(policy = LOOPBACK_ALLOWED, idleMs?: number): DestinationKind {
  const k = createNatsKind({ policy, ...(idleMs !== undefined ? { idleMs } : {}) });
  kinds.push(k);
  return k;
}

const target = (options: Record<string, unknown> = {}, url = BROKER) => ({
  key: uniqueName('ep'),
  url,
  options: { subject: `${prefix}.{{tenantId}}.{{type}}`, ...options },
});

function headerRecord(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of h?.keys() ?? []) out[k] = h!.get(k);
  return out;
}

/** Every message in the test stream, read by a fresh ordered JetStream consumer. */
async function streamed(): Promise<
  { subject: string; seq: number; body: Uint8Array; headers: Record<string, string> }[]
> {
  const { state } = await jsm.streams.info(stream);
  const consumer = await nc.jetstream().consumers.get(stream);
  const out = [];
  for (let i = 0; i < state.messages; i++) {
    const m = await consumer.next({ expires: 2000 });
    if (m === null) break;
    out.push({ subject: m.subject, seq: m.seq, body: m.data, headers: headerRecord(m.headers) });
  }
  return out;
}

beforeAll(async () => {
  nc = await connect({ servers: '127.0.0.1:4222' });
  jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: 60_000_000_000 });
  proxy = await startTcpProxy(4222);
});

afterAll(async () => {
  await Promise.all(kinds.map((k) => k.close()));
  await proxy.close();
  await jsm.streams.delete(stream);
  await nc.close();
});

describe('nats kind', () => {
  it('publishes to JetStream with the headers; the body arrives unchanged and verifies', async () => {
    const message = signedMessage({ resource: 'dev_3' });
    const result = await kind().send(
      target({ subject: `${prefix}.{{tenantId}}.{{type}}.{{resource}}` }),
      message,
    );
    expect(result).toMatchObject({ status: null, headers: null, error: null, verdict: 'success' });
    expect(result.body).toMatch(new RegExp(`^JetStream ack: stream ${stream} seq \\d+$`));

    const got = (await streamed()).find((m) => m.headers['webhook-id'] === message.headers['webhook-id'])!;
    expect(got.subject).toBe(`${prefix}.tn_acme.device.enrolled.dev_3`);
    expect(result.body).toContain(`seq ${got.seq}`);
    expect(Buffer.from(got.body).equals(Buffer.from(message.body, 'utf8'))).toBe(true);
    const { 'Nats-Msg-Id': msgId, ...headers } = got.headers;
    expect(msgId).toBe(message.headers['webhook-id']);
    expect(headers).toEqual(message.headers);
    expect(new Webhook(SECRET).verify(Buffer.from(got.body).toString('utf8'), headers)).toEqual(
      JSON.parse(message.body),
    );
  });

  it('dedupes a retry with the same webhook-id (Nats-Msg-Id)', async () => {
    const k = kind();
    const t = target();
    const message = signedMessage({ type: 'order.placed' });
    const first = await k.send(t, message);
    const again = await k.send(t, message);
    expect(again.verdict).toBe('success');
    expect(again.body).toBe(`${first.body} (duplicate: the stream already had this webhook-id)`);
  });

  it('publishes with core NATS and a flush when jetstream is false', async () => {
    const subject = uniqueName('core');
    const sub = nc.subscribe(subject, { max: 1 });
    await nc.flush();
    const message = signedMessage();
    const result = await kind().send(target({ subject, jetstream: false }), message);
    expect(result.verdict).toBe('success');
    expect(result.body).toBe(`published on subject "${subject}" and flushed (core NATS, no acknowledgement)`);
    for await (const m of sub) {
      expect(m.string()).toBe(message.body);
      const { 'Nats-Msg-Id': _id, ...headers } = headerRecord(m.headers);
      expect(new Webhook(SECRET).verify(m.string(), headers)).toEqual(JSON.parse(message.body));
    }
  });

  it('says so when no stream takes the subject', async () => {
    const result = await kind().send(target({ subject: uniqueName('nostream') }), signedMessage());
    expect(result.verdict).toBe('retryable');
    expect(result.error?.message).toMatch(/no JetStream stream .* takes subject/);
  });

  it('shares one connection between concurrent sends of one endpoint, and closes it when idle', async () => {
    const k = kind(LOOPBACK_ALLOWED, 200);
    const t = target({}, `nats://127.0.0.1:${proxy.port}`);
    const before = proxy.accepted;
    const results = await Promise.all(Array.from({ length: 20 }, () => k.send(t, signedMessage())));
    expect(results.every((r) => r.verdict === 'success')).toBe(true);
    expect(proxy.accepted - before).toBe(1);
    await expect.poll(() => proxy.open, { timeout: 5000 }).toBe(0);
    expect((await k.send(t, signedMessage())).verdict).toBe('success');
    expect(proxy.accepted - before).toBe(2);
  });

  it('fails retryably and quickly when no server listens', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await kind().send(target({}, `nats://127.0.0.1:${port}`), signedMessage());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ verdict: 'retryable', status: null, body: null });
    expect(result.error).toEqual({
      kind: 'connection_refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });

  it('recovers from a dropped connection mid-run, and everything reported as sent arrived', async () => {
    const k = kind();
    const t = target({ subject: `${prefix}.drop` }, `nats://127.0.0.1:${proxy.port}`);
    const run = await sendThroughDrop(proxy, (m) => k.send(t, m));
    expect(run.failures.length).toBeGreaterThanOrEqual(4);
    for (const r of run.failures) {
      expect(r.verdict).toBe('retryable');
      expect(['connection_reset', 'connection_refused']).toContain(r.error?.kind);
    }
    expect(run.recovered).toBeGreaterThanOrEqual(10);
    const ids = (await streamed()).map((m) => m.headers['webhook-id']);
    for (const id of run.sent) expect(ids).toContain(id);
  });

  it('gives up on a server that accepts but never answers, within the connect budget', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const result = await kind().send(target({}, `nats://127.0.0.1:${silent.port}`), signedMessage());
      expect(Date.now() - started).toBeLessThan(6500);
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('refuses a private address when the policy forbids it, before connecting', async () => {
    const k = kind(DEFAULT_POLICY);
    const before = proxy.accepted;
    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await k.send(target({}, `nats://${host}:${proxy.port}`), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('private_network');
    }
    expect(proxy.accepted).toBe(before);
  });

  it('never shows a password or token', async () => {
    for (const url of [
      'nats://herald:pw-Secret%2F42@127.0.0.1:4222',
      'nats://tok-Secret%2F42@127.0.0.1:4222',
    ]) {
      const result = await kind().send(target({}, url), signedMessage());
      for (const secret of ['pw-Secret', 'tok-Secret']) expect(resultText(result)).not.toContain(secret);
    }
  });
});

describe('nats check', () => {
  const k = createNatsKind({ policy: LOOPBACK_ALLOWED });
  const check = (url: string, options: Record<string, unknown> = {}) => k.check(new URL(url), options);

  it('accepts good URLs and options', () => {
    expect(
      check('nats://u:p@nats.example.com:4222', { subject: 'events.{{type}}', jetstream: false }),
    ).toBeNull();
    expect(check('tls://nats.example.com')).toBeNull();
  });

  it.each([
    ['nats://host/path', {}, 'url', /no path/],
    [
      'nats://host',
      { subjct: 'x' },
      'destination',
      /no option "subjct"; the options are "subject", "jetstream"/,
    ],
    ['nats://host', { jetstream: 'yes' }, 'destination', /jetstream must be true or false/],
    ['nats://host', { subject: 'a b.{{type}}' }, 'destination', /white space/],
    ['nats://host', { subject: 'events.*' }, 'destination', /wildcard/],
    ['nats://host', { subject: 'events.>' }, 'destination', /wildcard/],
    ['nats://host', { subject: 'events..{{type}}' }, 'destination', /empty token/],
    ['nats://host', { subject: '{{type}}.' }, 'destination', /empty token/],
    ['nats://host', { subject: '{{kind}}' }, 'destination', /unknown placeholder/],
  ])('refuses %s %j', (url, options, path, message) => {
    const problem = check(url, options);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });
});
