/**
 * What a customer's consumer on each broker does, written with that broker's
 * own client only: subscribe under a prefix no other run uses and keep every
 * message by its `webhook-id`, in arrival order, with its body and headers,
 * so a test can verify signatures and check that nothing was lost.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { connect, type MsgHdrs } from 'nats';
import { uniqueName } from '../destinations/support.ts';

export interface ConsumedMessage {
  /** Routing key, stream, subject or topic. */
  name: string;
  body: string;
  headers: Record<string, string>;
}

export interface BrokerConsumer {
  /** Every message so far, in the order the broker gave them. */
  messages(): Promise<ConsumedMessage[]>;
  close(): Promise<void>;
}

export interface BrokerFixture {
  kind: 'amqp' | 'nats' | 'mqtt' | 'redis';
  /** The broker's loopback port, for a proxy in front of it. */
  port: number;
  /** The endpoint URL through `port` (the broker's own, or a proxy's). */
  url(port: number): string;
  /** The endpoint's `destination`, naming messages under this consumer's prefix. */
  destination: Record<string, unknown>;
  consume(): Promise<BrokerConsumer>;
}

function natsHeaders(h: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of h?.keys() ?? []) out[k.toLowerCase()] = h!.get(k);
  return out;
}

/** One fixture per kind, each with its own prefix. */
export function brokerFixtures(): BrokerFixture[] {
  const prefix = uniqueName('herald_e2e');
  const exchange = `${prefix}.x`;
  const stream = prefix.toUpperCase();
  return [
    {
      kind: 'amqp',
      port: 5672,
      url: (port) => `amqp://guest:guest@127.0.0.1:${port}/`,
      destination: { exchange, routingKey: 'evt.{{type}}' },
      async consume() {
        const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
        const channel = await conn.createChannel();
        await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
        const { queue } = await channel.assertQueue('', { exclusive: true });
        await channel.bindQueue(queue, exchange, '#');
        const got: ConsumedMessage[] = [];
        await channel.consume(
          queue,
          (m) => {
            if (!m) return;
            const headers = Object.fromEntries(
              Object.entries(m.properties.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
            );
            got.push({ name: m.fields.routingKey, body: m.content.toString('utf8'), headers });
          },
          { noAck: true },
        );
        return {
          messages: async () => got,
          close: async () => {
            await channel.deleteExchange(exchange);
            await conn.close();
          },
        };
      },
    },
    {
      kind: 'nats',
      port: 4222,
      url: (port) => `nats://127.0.0.1:${port}`,
      destination: { subject: `${prefix}.{{type}}` },
      async consume() {
        const nc = await connect({ servers: '127.0.0.1:4222' });
        const jsm = await nc.jetstreamManager();
        await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
        return {
          async messages() {
            const { state } = await jsm.streams.info(stream);
            const consumer = await nc.jetstream().consumers.get(stream);
            const out: ConsumedMessage[] = [];
            for (let i = 0; i < state.messages; i++) {
              const m = await consumer.next({ expires: 2000 });
              if (!m) break;
              const headers = natsHeaders(m.headers);
              delete headers['nats-msg-id'];
              out.push({ name: m.subject, body: m.string(), headers });
            }
            return out;
          },
          close: async () => {
            await jsm.streams.delete(stream);
            await nc.close();
          },
        };
      },
    },
    {
      kind: 'mqtt',
      port: 1883,
      url: (port) => `mqtt://127.0.0.1:${port}`,
      destination: { topic: `${prefix}/{{type}}`, qos: 1 },
      async consume() {
        const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { protocolVersion: 5, clean: true });
        const got: ConsumedMessage[] = [];
        client.on('message', (topic, payload, packet) => {
          const props = (packet.properties?.userProperties ?? {}) as Record<string, string | string[]>;
          const headers = Object.fromEntries(
            Object.entries(props).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
          );
          got.push({ name: topic, body: payload.toString('utf8'), headers });
        });
        await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
        return { messages: async () => got, close: () => client.endAsync() };
      },
    },
    {
      kind: 'redis',
      port: 6379,
      url: (port) => `redis://127.0.0.1:${port}`,
      destination: { stream: `${prefix}.events` },
      async consume() {
        const reader = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
        await reader.connect();
        return {
          async messages() {
            const rows = (await reader.xrange(`${prefix}.events`, '-', '+')) as [string, string[]][];
            return rows.map(([, pairs]) => {
              const headers: Record<string, string> = {};
              for (let i = 2; i < pairs.length; i += 2) headers[pairs[i]!] = pairs[i + 1]!;
              return { name: `${prefix}.events`, body: pairs[1]!, headers };
            });
          },
          close: async () => {
            await reader.del(`${prefix}.events`);
            await reader.quit();
          },
        };
      },
    },
  ];
}
