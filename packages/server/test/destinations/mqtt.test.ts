/**
 * The MQTT kind against the Mosquitto on 127.0.0.1:1883, each message read
 * back by an mqtt.js MQTT 5 subscriber and verified with the standardwebhooks
 * library. A refusing PUBACK is played by a tiny broker made with
 * mqtt-packet (mqtt.js's own codec), since Mosquitto here refuses nothing.
 */
import { createServer, type Server, type Socket } from 'node:net';
import mqtt, { type IPublishPacket } from 'mqtt';
import * as mqttPacket from 'mqtt-packet';
import { expect, it } from 'vitest';
import { createMqttKind } from '../../src/delivery/destinations/mqtt/index.ts';
import { describeDestinationKind, type Received } from './kind-conformance.ts';
import { signedMessage, uniqueName } from './support.ts';

const prefix = uniqueName('herald_test');
// An event type of its own, for the default topic ({{type}}, dots kept).
const TYPE = `${prefix}.enrolled`;

describeDestinationKind<IPublishPacket>(
  'mqtt',
  {
    create: createMqttKind,
    broker: 'mqtt://127.0.0.1:1883',
    nameOption: 'topic',
    name: (suffix) => `${prefix}/${suffix}`,
    variants: { 'QoS 1': { qos: 1 }, 'QoS 2': { qos: 2 } },
    defaultType: TYPE,
    async consume() {
      const subscriber = await mqtt.connectAsync('mqtt://127.0.0.1:1883', {
        protocolVersion: 5,
        clean: true,
      });
      const received: Received<IPublishPacket>[] = [];
      subscriber.on('message', (topic, payload, packet) => {
        const headers = (packet.properties?.userProperties ?? {}) as Record<string, string>;
        received.push({ name: topic, body: payload, headers, raw: packet });
      });
      await subscriber.subscribeAsync([`${prefix}/#`, TYPE], { qos: 2 });
      return { received: () => received, close: () => subscriber.endAsync() };
    },
    published(result, got, _message, { qos }) {
      expect(result.body).toBe(`${qos === 2 ? 'PUBCOMP' : 'PUBACK'} reason 0 on topic "${got.name}"`);
      expect(got.raw.properties?.contentType).toBe('application/json');
    },
    check: {
      accepts: [
        ['mqtt://u:p@broker.example.com:1883', { topic: 'events/{{type}}', qos: 2 }],
        ['mqtts://broker.example.com', { qos: 0 }],
      ],
      refuses: [
        ['mqtt://host/ws', {}, 'url', /no path/],
        ['mqtt://host', { topics: 'x' }, 'destination', /no option "topics"; the options are "topic", "qos"/],
        ['mqtt://host', { qos: 3 }, 'destination', /qos must be 0, 1 or 2, not 3/],
        ['mqtt://host', { qos: '1' }, 'destination', /qos must be 0, 1 or 2, not "1"/],
        ['mqtt://host', { topic: 'events/+' }, 'destination', /wildcard/],
        ['mqtt://host', { topic: 'events/#' }, 'destination', /wildcard/],
        ['mqtt://host', { topic: '$SYS/{{type}}' }, 'destination', /starts with "\$"/],
        ['mqtt://host', { topic: 'a/{{typ}}' }, 'destination', /unknown placeholder/],
        ['mqtt://host', { topic: 5 }, 'destination', /topic must be a string/],
      ],
    },
  },
  ({ kind, target, url, consumed }) => {
    it('says when nobody subscribes', async () => {
      const lonely = await kind().send(target({ topic: uniqueName('nobody') }), signedMessage());
      expect(lonely.verdict).toBe('success');
      expect(lonely.body).toMatch(/^PUBACK reason (0|16 \(no matching subscribers\)) on topic/);
    });

    it('publishes with QoS 0 without waiting for an acknowledgement', async () => {
      const message = signedMessage();
      const topic = `${prefix}/qos0`;
      const result = await kind().send(target({ topic, qos: 0 }), message);
      expect(result.body).toBe(`written with QoS 0 on topic "${topic}" (QoS 0 has no acknowledgement)`);
      await consumed([message.headers['webhook-id']!]);
    });

    it('retries a PUBACK reason of 0x80 or more, and gives up on one that can never succeed', async () => {
      const fake = await refusingBroker();
      try {
        const k = kind();
        const t = () => target({ topic: '{{type}}' }, url('127.0.0.1', fake.port));
        const quota = await k.send(t(), signedMessage());
        expect(quota.verdict).toBe('retryable');
        expect(quota.error?.message).toMatch(/refused the message on topic "device.enrolled": reason 151/);
        const bad = await k.send(t(), signedMessage({ type: 'bad.topic' }));
        expect(bad.verdict).toBe('permanent');
        expect(bad.error?.message).toMatch(/reason 144 \(the broker refuses the topic name\)/);
      } finally {
        await fake.close();
      }
    });
  },
);

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
