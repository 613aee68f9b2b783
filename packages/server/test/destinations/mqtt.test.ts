/**
 * The MQTT kind against the Mosquitto on 127.0.0.1:1883, each message read
 * back by an mqtt.js MQTT 5 subscriber and verified with the standardwebhooks
 * library. A refusing PUBACK is played by a tiny broker made with
 * mqtt-packet (mqtt.js's own codec), since Mosquitto here refuses nothing.
 */
import { createServer, type Server, type Socket } from 'node:net';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttKind } from '../../src/delivery/destinations/mqtt/index.ts';
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

const BROKER = 'mqtt://127.0.0.1:1883';
const prefix = uniqueName('herald_test');
// An event type of its own, for the default topic ({{type}}, dots kept).
const TYPE = `${prefix}.enrolled`;
let subscriber: MqttClient;
const received: { topic: string; payload: Buffer; packet: IPublishPacket }[] = [];
let proxy: TcpProxy;
const kinds: DestinationKind[] = [];

function kind(policy = LOOPBACK_ALLOWED, idleMs?: number): DestinationKind {
  const k = createMqttKind({ policy, ...(idleMs !== undefined ? { idleMs } : {}) });
  kinds.push(k);
  return k;
}

const target = (options: Record<string, unknown> = {}, url = BROKER) => ({
  key: uniqueName('ep'),
  url,
  options,
});

const byId = (id: string) => received.find((m) => m.packet.properties?.userProperties?.['webhook-id'] === id);

beforeAll(async () => {
  subscriber = await mqtt.connectAsync(BROKER, { protocolVersion: 5, clean: true });
  subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload, packet }));
  await subscriber.subscribeAsync([`${prefix}/#`, TYPE], { qos: 2 });
  proxy = await startTcpProxy(1883);
});

afterAll(async () => {
  await Promise.all(kinds.map((k) => k.close()));
  await proxy.close();
  await subscriber.endAsync();
});

describe('mqtt kind', () => {
  it.each([1, 2] as const)(
    'publishes with QoS %i: body unchanged, headers as user properties, verifiable',
    async (qos) => {
      const message = signedMessage({ type: TYPE, resource: 'dev_5' });
      const topic = `${prefix}/{{tenantId}}/{{type}}/{{resource}}`;
      const result = await kind().send(target({ topic, qos }), message);
      const expected = `${prefix}/tn_acme/${TYPE}/dev_5`;

      expect(result).toMatchObject({ status: null, headers: null, error: null, verdict: 'success' });
      expect(result.body).toBe(`${qos === 1 ? 'PUBACK' : 'PUBCOMP'} reason 0 on topic "${expected}"`);
      const got = await eventually(() => byId(message.headers['webhook-id']!));
      expect(got.topic).toBe(expected);
      expect(got.payload.equals(Buffer.from(message.body, 'utf8'))).toBe(true);
      expect(got.packet.properties?.contentType).toBe('application/json');
      const headers = got.packet.properties?.userProperties as Record<string, string>;
      expect(headers).toEqual(message.headers);
      expect(new Webhook(SECRET).verify(got.payload.toString('utf8'), headers)).toEqual(
        JSON.parse(message.body),
      );
    },
  );

  it('uses {{type}} with its dots as the default topic, and says when nobody subscribes', async () => {
    const k = kind();
    const message = signedMessage({ type: TYPE });
    expect((await k.send(target(), message)).body).toBe(`PUBACK reason 0 on topic "${TYPE}"`);
    expect((await eventually(() => byId(message.headers['webhook-id']!))).topic).toBe(TYPE);

    const lonely = await k.send(target({ topic: uniqueName('nobody') }), signedMessage());
    expect(lonely.verdict).toBe('success');
    expect(lonely.body).toMatch(/^PUBACK reason (0|16 \(no matching subscribers\)) on topic/);
  });

  it('publishes with QoS 0 without waiting for an acknowledgement', async () => {
    const message = signedMessage({ type: TYPE });
    const result = await kind().send(target({ qos: 0 }), message);
    expect(result.body).toBe(`written with QoS 0 on topic "${TYPE}" (QoS 0 has no acknowledgement)`);
    await eventually(() => byId(message.headers['webhook-id']!));
  });

  it('shares one connection between concurrent sends of one endpoint, and closes it when idle', async () => {
    const k = kind(LOOPBACK_ALLOWED, 200);
    const t = target({ topic: `${prefix}/shared` }, `mqtt://127.0.0.1:${proxy.port}`);
    const before = proxy.accepted;
    const results = await Promise.all(Array.from({ length: 20 }, () => k.send(t, signedMessage())));
    expect(results.every((r) => r.verdict === 'success')).toBe(true);
    expect(proxy.accepted - before).toBe(1);
    await eventually(() => (proxy.open === 0 ? true : undefined));
    expect((await k.send(t, signedMessage())).verdict).toBe('success');
    expect(proxy.accepted - before).toBe(2);
  });

  it('fails retryably and quickly when no broker listens', async () => {
    const port = await unusedPort();
    const started = Date.now();
    const result = await kind().send(target({}, `mqtt://127.0.0.1:${port}`), signedMessage());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({ verdict: 'retryable', status: null, body: null });
    expect(result.error).toEqual({
      kind: 'connection_refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });

  it('recovers from a dropped connection mid-run, and everything reported as sent arrived', async () => {
    const k = kind();
    const t = target({ topic: `${prefix}/drop` }, `mqtt://127.0.0.1:${proxy.port}`);
    const run = await sendThroughDrop(proxy, (m) => k.send(t, m));
    expect(run.failures.length).toBeGreaterThanOrEqual(4);
    for (const r of run.failures) {
      expect(r.verdict).toBe('retryable');
      expect(['connection_reset', 'connection_refused']).toContain(r.error?.kind);
    }
    expect(run.recovered).toBeGreaterThanOrEqual(10);
    for (const id of run.sent) await eventually(() => byId(id));
  });

  it('retries a PUBACK reason of 0x80 or more, and gives up on one that can never succeed', async () => {
    const fake = await refusingBroker();
    try {
      const k = kind();
      const quota = await k.send(target({}, `mqtt://127.0.0.1:${fake.port}`), signedMessage());
      expect(quota.verdict).toBe('retryable');
      expect(quota.error?.message).toMatch(/refused the message on topic "device.enrolled": reason 151/);
      const bad = await k.send(
        target({}, `mqtt://127.0.0.1:${fake.port}`),
        signedMessage({ type: 'bad.topic' }),
      );
      expect(bad.verdict).toBe('permanent');
      expect(bad.error?.message).toMatch(/reason 144 \(the broker refuses the topic name\)/);
    } finally {
      await fake.close();
    }
  });

  it('gives up on a broker that accepts but never answers, within the connect budget', async () => {
    const silent = await silentServer();
    try {
      const started = Date.now();
      const result = await kind().send(target({}, `mqtt://127.0.0.1:${silent.port}`), signedMessage());
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
      const result = await k.send(target({}, `mqtt://${host}:${proxy.port}`), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.kind).toBe('private_network');
    }
    expect(proxy.accepted).toBe(before);
  });

  it('never shows the password', async () => {
    const result = await kind().send(
      target({}, 'mqtt://herald:pw-Secret%2F42@127.0.0.1:1883'),
      signedMessage(),
    );
    for (const secret of ['pw-Secret%2F42', 'pw-Secret/42']) expect(resultText(result)).not.toContain(secret);
  });
});

/** A broker that accepts any CONNECT and answers each QoS 1 PUBLISH with a refusing PUBACK (0x90 for `bad.topic`, else 0x97). */
async function refusingBroker(): Promise<{ port: number; close(): Promise<void> }> {
  const opts = { protocolVersion: 5 as const };
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    const parser = mqttPacket.parser(opts);
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connect')
        socket.write(mqttPacket.generate({ cmd: 'connack', reasonCode: 0, sessionPresent: false }, opts));
      if (packet.cmd === 'publish') {
        const reasonCode = packet.topic === 'bad.topic' ? 0x90 : 0x97;
        socket.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId, reasonCode }, opts));
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('mqtt check', () => {
  const k = createMqttKind({ policy: LOOPBACK_ALLOWED });
  const check = (url: string, options: Record<string, unknown> = {}) => k.check(new URL(url), options);

  it('accepts good URLs and options', () => {
    expect(check('mqtt://u:p@broker.example.com:1883', { topic: 'events/{{type}}', qos: 2 })).toBeNull();
    expect(check('mqtts://broker.example.com', { qos: 0 })).toBeNull();
  });

  it.each([
    ['mqtt://host/ws', {}, 'url', /no path/],
    ['mqtt://host', { topics: 'x' }, 'destination', /no option "topics"; the options are "topic", "qos"/],
    ['mqtt://host', { qos: 3 }, 'destination', /qos must be 0, 1 or 2, not 3/],
    ['mqtt://host', { qos: '1' }, 'destination', /qos must be 0, 1 or 2, not "1"/],
    ['mqtt://host', { topic: 'events/+' }, 'destination', /wildcard/],
    ['mqtt://host', { topic: 'events/#' }, 'destination', /wildcard/],
    ['mqtt://host', { topic: '$SYS/{{type}}' }, 'destination', /starts with "\$"/],
    ['mqtt://host', { topic: 'a/{{typ}}' }, 'destination', /unknown placeholder/],
    ['mqtt://host', { topic: 5 }, 'destination', /topic must be a string/],
  ])('refuses %s %j', (url, options, path, message) => {
    const problem = check(url, options);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });
});
