/**
 * `amqp://` and `amqps://` endpoints (RabbitMQ and other AMQP 0-9-1
 * brokers): each message is published persistently to `exchange` with the
 * rendered `routingKey`, on a confirm channel. Success is the broker's
 * publisher confirm, which means it has taken responsibility for the message
 * (written it to disk for durable queues); a nack or a channel closed by the
 * broker is retried like a refused connection.
 *
 * The message's headers (signature, `webhook-id`, `content-type`, custom)
 * travel as AMQP `headers`; the content type is also the `contentType`
 * property and `webhook-id` the `messageId`, so consumers that only read
 * properties can dedupe.
 */
import { defineKind } from '../define-kind.ts';
import { AMQP_ENDPOINT } from './check.ts';
import { describeAmqpError, openAmqp, publishAmqp } from './connection.ts';

export const createAmqpKind = defineKind({
  endpoint: AMQP_ENDPOINT,
  connect: openAmqp,
  publish: publishAmqp,
  describe: describeAmqpError,
});
