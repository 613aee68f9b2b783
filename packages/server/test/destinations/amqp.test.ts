/**
 * The AMQP kind against the RabbitMQ on 127.0.0.1:5672, each message read
 * back by amqplib's own consumer on an exclusive queue bound to a test
 * exchange, and verified with the standardwebhooks library.
 */
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { expect, it } from 'vitest';
import { createAmqpKind } from '../../src/delivery/destinations/amqp/index.ts';
import { describeDestinationKind, type Received } from './kind-conformance.ts';
import { signedMessage, uniqueName } from './support.ts';

const exchange = uniqueName('herald_test');
let channel: Channel;

describeDestinationKind<ConsumeMessage>(
  'amqp',
  {
    create: createAmqpKind,
    broker: 'amqp://guest:guest@127.0.0.1:5672',
    nameOption: 'routingKey',
    // The queue is bound with "#": every routing key reaches it.
    name: (suffix) => suffix,
    options: { exchange },
    defaultType: 'invoice.paid',
    async consume() {
      const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
      channel = await conn.createChannel();
      await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, exchange, '#');
      const received: Received<ConsumeMessage>[] = [];
      await channel.consume(
        queue,
        (m) =>
          m &&
          received.push({
            name: m.fields.routingKey,
            body: m.content,
            headers: m.properties.headers as Record<string, string>,
            raw: m,
          }),
        { noAck: true },
      );
      return {
        received: () => received,
        close: async () => {
          await channel.deleteExchange(exchange);
          await conn.close();
        },
      };
    },
    published(result, got, message) {
      expect(result.body).toBe(`confirmed by exchange "${exchange}" with routing key "${got.name}"`);
      expect(got.raw.properties).toMatchObject({
        messageId: message.headers['webhook-id'],
        contentType: 'application/json',
        deliveryMode: 2,
        type: 'device.enrolled',
      });
    },
    wrongPassword: /refused access/,
    check: {
      accepts: [
        ['amqp://u:p@rabbit.example.com:5672/vhost', { exchange: 'events', routingKey: '{{type}}' }],
        ['amqps://rabbit.example.com/%2F', {}],
        ['amqp://[::1]:5672', {}],
      ],
      refuses: [
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
      ],
    },
  },
  ({ kind, target }) => {
    it('treats a broker nack as retryable', async () => {
      // A queue that is always full and rejects publishes: RabbitMQ answers with basic.nack.
      const full = uniqueName('full');
      await channel.assertQueue(full, {
        exclusive: true,
        arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
      });
      try {
        const result = await kind().send(target({ exchange: '', routingKey: full }), signedMessage());
        expect(result.verdict).toBe('retryable');
        expect(result.error?.message).toMatch(/basic\.nack/);
      } finally {
        await channel.deleteQueue(full);
      }
    });

    it('reports a missing exchange, then sends once it exists', async () => {
      const k = kind();
      const missing = uniqueName('missing');
      const t = target({ exchange: missing });
      const result = await k.send(t, signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.message).toMatch(/no exchange .* declare it on the broker/);
      await channel.assertExchange(missing, 'fanout', { durable: false });
      try {
        expect((await k.send(t, signedMessage())).verdict).toBe('success');
      } finally {
        await channel.deleteExchange(missing);
      }
    });
  },
);
