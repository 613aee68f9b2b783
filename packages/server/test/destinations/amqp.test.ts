/**
 * The AMQP kind against the RabbitMQ on 127.0.0.1:5672, each message read
 * back by amqplib's own consumer on an exclusive queue bound to a test
 * exchange, and verified with the standardwebhooks library.
 */
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmqpKind } from '../../src/delivery/destinations/amqp/index.ts';
import type { DestinationKind } from '../../src/delivery/destinations/port.ts';
import {
  DEFAULT_POLICY,
  eventually,
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

const BROKER = 'amqp://guest:guest@127.0.0.1:5672';
const exchange = uniqueName('herald_test');
let consumerConn: ChannelModel;
let consumer: Channel;
const received: ConsumeMessage[] = [];
let proxy: TcpProxy;
const kinds: DestinationKind[] = [];

function kind(policy = LOOPBACK_ALLOWED, idleMs?: number): DestinationKind {
  const k = createAmqpKind({ policy, ...(idleMs !== undefined ? { idleMs } : {}) });
  kinds.push(k);
  return k;
}

const target = (options: Record<string, unknown> = {}, url = BROKER) => ({
  key: uniqueName('ep'),
  url,
  options: { exchange, ...options },
});

const byId = (id: string) => received.find((m) => m.properties.messageId === id);

beforeAll(async () => {
  consumerConn = await amqp.connect(BROKER);
  consumer = await consumerConn.createChannel();
  await consumer.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
  const { queue } = await consumer.assertQueue('', { exclusive: true });
  await consumer.bindQueue(queue, exchange, '#');
  await consumer.consume(queue, (m) => m && received.push(m), { noAck: true });
  proxy = await startTcpProxy(5672);
});

afterAll(async () => {
  await Promise.all(kinds.map((k) => k.close()));
  await proxy.close();
  await consumer.deleteExchange(exchange);
  await consumerConn.close();
});

describe('amqp kind', () => {
  it('publishes the body unchanged with the headers, verifiable by a Standard Webhooks library', async () => {
    const k = kind();
    const message = signedMessage({ resource: 'dev_7' });
    const result = await k.send(target({ routingKey: '{{tenantId}}.{{type}}.{{resource}}' }), message);

    expect(result).toMatchObject({ status: null, headers: null, error: null, verdict: 'success' });
    expect(result.body).toBe(
      `confirmed by exchange "${exchange}" with routing key "tn_acme.device.enrolled.dev_7"`,
    );
    const got = await eventually(() => byId(message.headers['webhook-id']!));
    expect(got.content.equals(Buffer.from(message.body, 'utf8'))).toBe(true);
    expect(got.fields.routingKey).toBe('tn_acme.device.enrolled.dev_7');
    expect(got.properties.headers).toEqual(message.headers);
    expect(got.properties.contentType).toBe('application/json');
    expect(got.properties.deliveryMode).toBe(2);
    expect(got.properties.type).toBe('device.enrolled');
    const headers = got.properties.headers as Record<string, string>;
    expect(new Webhook(SECRET).verify(got.content.toString('utf8'), headers)).toEqual(
      JSON.parse(message.body),
    );
  });

  it('uses {{type}} as the routing key by default and renders a missing resource as empty', async () => {
    const k = kind();
    const first = signedMessage({ type: 'invoice.paid' });
    expect((await k.send(target(), first)).verdict).toBe('success');
    expect((await eventually(() => byId(first.headers['webhook-id']!))).fields.routingKey).toBe(
      'invoice.paid',
    );

    const second = signedMessage({ type: 'invoice.paid', resource: null });
    const result = await k.send(target({ routingKey: 'r.{{ resource }}' }), second);
    expect(result.body).toContain('routing key "r."');
    expect((await eventually(() => byId(second.headers['webhook-id']!))).fields.routingKey).toBe('r.');
  });

  it('shares one connection between concurrent sends of one endpoint, and closes it when idle', async () => {
    const k = kind(LOOPBACK_ALLOWED, 200);
    const t = target({}, `amqp://guest:guest@127.0.0.1:${proxy.port}`);
    const before = proxy.accepted;
    const messages = Array.from({ length: 20 }, () => signedMessage());
    const results = await Promise.all(messages.map((m) => k.send(t, m)));
    expect(results.every((r) => r.verdict === 'success')).toBe(true);
    expect(proxy.accepted - before).toBe(1);
    await eventually(() => (proxy.open === 0 ? true : undefined));
    expect((await k.send(t, signedMessage())).verdict).toBe('success');
    expect(proxy.accepted - before).toBe(2);
  });

  it('fails retryably and quickly when no broker listens', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await kind().send(target({}, `amqp://guest:guest@127.0.0.1:${port}`), signedMessage());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ verdict: 'retryable', status: null, body: null });
    expect(result.error).toEqual({
      kind: 'connection_refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });

  it('recovers from a dropped connection mid-run, and everything reported as sent arrived', async () => {
    const k = kind();
    const t = target({}, `amqp://guest:guest@127.0.0.1:${proxy.port}`);
    const run = await sendThroughDrop(proxy, (m) => k.send(t, m));
    expect(run.failures.length).toBeGreaterThanOrEqual(4);
    for (const r of run.failures) {
      expect(r.verdict).toBe('retryable');
      expect(['connection_reset', 'connection_refused']).toContain(r.error?.kind);
    }
    expect(run.recovered).toBeGreaterThanOrEqual(10);
    for (const id of run.sent) await eventually(() => byId(id));
  });

  it('treats a broker nack as retryable', async () => {
    // A queue that is always full and rejects publishes: RabbitMQ answers with basic.nack.
    const full = uniqueName('full');
    await consumer.assertQueue(full, {
      exclusive: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    try {
      const result = await kind().send(target({ exchange: '', routingKey: full }), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.message).toMatch(/basic\.nack/);
    } finally {
      await consumer.deleteQueue(full);
    }
  });

  it('reports a missing exchange, then sends once it exists', async () => {
    const k = kind();
    const missing = uniqueName('missing');
    const t = target({ exchange: missing });
    const result = await k.send(t, signedMessage());
    expect(result.verdict).toBe('retryable');
    expect(result.error?.message).toMatch(/no exchange .* declare it on the broker/);
    await consumer.assertExchange(missing, 'fanout', { durable: false });
    try {
      expect((await k.send(t, signedMessage())).verdict).toBe('success');
    } finally {
      await consumer.deleteExchange(missing);
    }
  });

  it('refuses a private address when the policy forbids it, before connecting', async () => {
    const k = kind(DEFAULT_POLICY);
    const before = proxy.accepted;
    for (const host of ['127.0.0.1', 'localhost']) {
      const result = await k.send(target({}, `amqp://guest:guest@${host}:${proxy.port}`), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('private_network');
      expect(result.error?.message).toMatch(/loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS/);
    }
    expect(proxy.accepted).toBe(before);
  });

  it('gives up on a broker that accepts but never answers, within the connect budget', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const result = await kind().send(target({}, `amqp://127.0.0.1:${silent.port}`), signedMessage());
      expect(Date.now() - started).toBeLessThan(6500);
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('never shows the password', async () => {
    const password = 'pw-Secret%2F42';
    const wrong = await kind().send(target({}, `amqp://guest:${password}@127.0.0.1:5672`), signedMessage());
    expect(wrong.verdict).toBe('retryable');
    expect(wrong.error?.message).toMatch(/refused access/);
    const ok = await kind().send(target({}, BROKER), signedMessage());
    for (const r of [wrong, ok]) {
      for (const secret of [password, 'pw-Secret/42', 'guest:guest'])
        expect(resultText(r)).not.toContain(secret);
    }
  });
});

describe('amqp check', () => {
  const k = createAmqpKind({ policy: LOOPBACK_ALLOWED });
  const check = (url: string, options: Record<string, unknown> = {}) => k.check(new URL(url), options);

  it('accepts good URLs and options', () => {
    expect(
      check('amqp://u:p@rabbit.example.com:5672/vhost', { exchange: 'events', routingKey: '{{type}}' }),
    ).toBe(null);
    expect(check('amqps://rabbit.example.com/%2F')).toBeNull();
    expect(check('amqp://[::1]:5672')).toBeNull();
  });

  it.each([
    ['amqp://host/a/b', {}, 'url', /one vhost name.*%2F/],
    ['amqp://host?heartbeat=5', {}, 'url', /no query parameters/],
    [
      'amqp://host',
      { exchnage: 'x' },
      'destination',
      /no option "exchnage"; the options are "exchange", "routingKey"/,
    ],
    ['amqp://host', { exchange: 5 }, 'destination', /exchange must be a string, not number 5/],
    ['amqp://host', { routingKey: ['a'] }, 'destination', /routingKey must be a string, not an array/],
    ['amqp://host', { routingKey: '{{event}}' }, 'destination', /unknown placeholder "\{\{event\}\}"/],
    ['amqp://host', { routingKey: '{{type}' }, 'destination', /unbalanced/],
    ['amqp://host', { routingKey: `${'k'.repeat(250)}.{{type}}` }, 'destination', /at most 255/],
    ['amqp://host', { exchange: 'x{{type}}' }, 'destination', /not a template/],
  ])('refuses %s %j', (url, options, path, message) => {
    const problem = check(url, options);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });
});
