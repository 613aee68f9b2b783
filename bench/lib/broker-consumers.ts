/**
 * The broker scenario's consumers, run inside the receiver process: each
 * reads what Herald published with the broker's own client and hands every
 * message to `record` as if it were a request to the path the endpoint's
 * `x-bench-path` header names, so the drain is counted exactly as for HTTP.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type BrokerKind = 'amqp' | 'redis' | 'nats' | 'mqtt';
export type RecordFn = (path: string, headers: IncomingHttpHeaders, body: string) => void;

/** Where the scenario publishes: one exchange, stream, subject prefix or topic prefix for all endpoints. */
export const BENCH_BROKER = {
  amqpUrl: 'amqp://guest:guest@127.0.0.1:5672/',
  exchange: 'herald.bench',
  redisUrl: 'redis://127.0.0.1:6379',
  stream: 'herald-bench',
  natsUrl: 'nats://127.0.0.1:4222',
  natsStream: 'HERALD_BENCH',
  subject: 'herald.bench.{{type}}',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  topic: 'herald-bench/{{type}}',
} as const;

const pathOf = (headers: Record<string, unknown> | IncomingHttpHeaders) =>
  String(headers['x-bench-path'] ?? '');

/** Starts consuming for `kind`; resolves once the consumer is subscribed (so nothing published is missed). */
export async function startBrokerConsumer(kind: BrokerKind, record: RecordFn): Promise<void> {
  if (kind === 'amqp') {
    const { default: amqp } = await import('amqplib');
    const channel = await (await amqp.connect(BENCH_BROKER.amqpUrl)).createChannel();
    await channel.assertExchange(BENCH_BROKER.exchange, 'topic', { durable: false, autoDelete: false });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, BENCH_BROKER.exchange, '#');
    await channel.consume(
      queue,
      (m) => {
        if (!m) return;
        const headers = (m.properties.headers ?? {}) as IncomingHttpHeaders;
        record(pathOf(headers), headers, m.content.toString('utf8'));
      },
      { noAck: true },
    );
  } else if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const redis = new Redis(BENCH_BROKER.redisUrl);
    await redis.del(BENCH_BROKER.stream);
    void (async () => {
      let last = '0-0';
      for (;;) {
        const got = (await redis.xread('COUNT', 2000, 'BLOCK', 1000, 'STREAMS', BENCH_BROKER.stream, last)) as
          | [string, [string, string[]][]][]
          | null;
        for (const [id, pairs] of got?.[0]?.[1] ?? []) {
          last = id;
          const headers: IncomingHttpHeaders = {};
          for (let i = 2; i < pairs.length; i += 2) headers[pairs[i]!] = pairs[i + 1]!;
          record(pathOf(headers), headers, pairs[1]!);
        }
      }
    })();
  } else if (kind === 'nats') {
    const { connect } = await import('nats');
    const nc = await connect({ servers: BENCH_BROKER.natsUrl });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(BENCH_BROKER.natsStream).catch(() => undefined);
    await jsm.streams.add({ name: BENCH_BROKER.natsStream, subjects: ['herald.bench.>'] });
    const messages = await (await nc.jetstream().consumers.get(BENCH_BROKER.natsStream)).consume();
    void (async () => {
      for await (const m of messages) {
        const headers: IncomingHttpHeaders = {};
        for (const k of m.headers?.keys() ?? []) headers[k.toLowerCase()] = m.headers!.get(k);
        record(pathOf(headers), headers, m.string());
      }
    })();
  } else {
    const { default: mqtt } = await import('mqtt');
    const client = await mqtt.connectAsync(BENCH_BROKER.mqttUrl, { protocolVersion: 5, clean: true });
    client.on('message', (_topic, payload, packet) => {
      const headers = (packet.properties?.userProperties ?? {}) as IncomingHttpHeaders;
      record(pathOf(headers), headers, payload.toString('utf8'));
    });
    await client.subscribeAsync('herald-bench/#', { qos: 1 });
  }
}

/** The endpoint's `url` and `destination` for a kind; its `x-bench-path` header carries the receiver path. */
export function brokerTarget(kind: BrokerKind): { url: string; destination: Record<string, unknown> } {
  switch (kind) {
    case 'amqp':
      return {
        url: BENCH_BROKER.amqpUrl,
        destination: { exchange: BENCH_BROKER.exchange, routingKey: '{{type}}' },
      };
    case 'redis':
      return { url: BENCH_BROKER.redisUrl, destination: { stream: BENCH_BROKER.stream } };
    case 'nats':
      return { url: BENCH_BROKER.natsUrl, destination: { subject: BENCH_BROKER.subject } };
    case 'mqtt':
      return { url: BENCH_BROKER.mqttUrl, destination: { topic: BENCH_BROKER.topic, qos: 1 } };
  }
}
