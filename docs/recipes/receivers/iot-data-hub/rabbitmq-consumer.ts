/**
 * A hub subscriber's consumer on its own RabbitMQ, for a subscription whose
 * URL is `amqp://…` instead of an HTTPS endpoint (docs/recipes/iot-data-hub.md,
 * "Delivering to the customer's RabbitMQ or MQTT broker"). Written with
 * amqplib and standardwebhooks only:
 *
 * - declares a durable topic exchange and a durable queue bound to it, so
 *   messages wait in the queue while the consumer is down (a message that no
 *   queue takes is dropped by RabbitMQ, even though it was confirmed);
 * - verifies each message's Standard Webhooks signature (the `webhook-*`
 *   AMQP headers) over the exact message bytes;
 * - acks a message once `onMessage` has handled it; a handler that throws
 *   gets the message once more (requeued), then it is dead-lettered (or
 *   dropped, without a dead-letter exchange); a bad signature is rejected at
 *   once and never reaches the handler.
 *
 * Run: AMQP_URL=amqp://user:password@rabbit.example.com:5672/ WEBHOOK_SECRET=whsec_… \
 *      npx tsx docs/recipes/receivers/iot-data-hub/rabbitmq-consumer.ts
 */
import amqp, { type ConsumeMessage } from 'amqplib';
import { verifyQueued } from './queued-signature.ts';

export interface RabbitMessage {
  /** `webhook-id`: the same on every retry and redelivery; dedupe on it. */
  id: string;
  routingKey: string;
  /** The verified JSON body: Herald's event envelope, or an array of them from a batching subscription. */
  payload: unknown;
}

export interface RabbitConsumerOptions {
  /** The broker, e.g. amqp://user:password@rabbit.example.com:5672/ */
  url: string;
  /** The subscription's secret (whsec_…). */
  secret: string;
  /** The exchange the subscription publishes to (its `destination.exchange`). */
  exchange: string;
  queue: string;
  /** Which routing keys the queue takes, e.g. "iot.plant-1.#". */
  bindingKey: string;
  onMessage(message: RabbitMessage): void | Promise<void>;
  /** A message refused for its signature (already rejected on the broker). */
  onRejected?(reason: string, message: ConsumeMessage): void;
  /** How old a message may be (it may have waited in the queue); default one day. */
  maxAgeSec?: number;
}

/** The AMQP headers as the strings they were published as. */
function headersOf(message: ConsumeMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    headers[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return headers;
}

export async function startRabbitConsumer(opts: RabbitConsumerOptions): Promise<{ close(): Promise<void> }> {
  const connection = await amqp.connect(opts.url);
  const channel = await connection.createChannel();
  await channel.assertExchange(opts.exchange, 'topic', { durable: true });
  await channel.assertQueue(opts.queue, { durable: true });
  await channel.bindQueue(opts.queue, opts.exchange, opts.bindingKey);
  await channel.prefetch(16);

  const { consumerTag } = await channel.consume(opts.queue, async (message) => {
    if (message === null) return; // the queue was deleted
    const headers = headersOf(message);
    let payload: unknown;
    try {
      payload = verifyQueued(opts.secret, message.content, headers, opts.maxAgeSec ?? 86_400);
    } catch (err) {
      channel.reject(message, false);
      opts.onRejected?.(err instanceof Error ? err.message : String(err), message);
      return;
    }
    try {
      await opts.onMessage({ id: headers['webhook-id']!, routingKey: message.fields.routingKey, payload });
      channel.ack(message);
    } catch {
      channel.nack(message, false, !message.fields.redelivered);
    }
  });

  return {
    async close() {
      await channel.cancel(consumerTag);
      await connection.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startRabbitConsumer({
    url: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/',
    secret: process.env.WEBHOOK_SECRET ?? '',
    exchange: process.env.AMQP_EXCHANGE ?? 'iot-hub',
    queue: process.env.AMQP_QUEUE ?? 'iot-hub.plant-1',
    bindingKey: process.env.AMQP_BINDING ?? 'iot.plant-1.#',
    onMessage: ({ id, routingKey, payload }) => console.log(id, routingKey, JSON.stringify(payload)),
    onRejected: (reason) => console.warn('rejected:', reason),
  });
  console.log('consuming; Ctrl-C to stop');
}
