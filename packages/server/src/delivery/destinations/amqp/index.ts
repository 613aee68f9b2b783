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
import { failed } from '../outcome.ts';
import { ConnectionPool, DEFAULT_IDLE_MS } from '../pool.ts';
import type { DestinationContext, DestinationKind } from '../port.ts';
import { parseTarget, runSend } from '../run-send.ts';
import { renderTemplate } from '../template.ts';
import { AMQP_SCHEMES, amqpOptions, checkAmqp, routingKeyProblem } from './check.ts';
import { type AmqpConnection, describeAmqpError, openAmqp, publishAmqp } from './connection.ts';

export function createAmqpKind(ctx: DestinationContext): DestinationKind {
  const pool = new ConnectionPool<AmqpConnection>(ctx.idleMs ?? DEFAULT_IDLE_MS);
  const clock = ctx.clock ?? (() => performance.now());

  return {
    schemes: AMQP_SCHEMES,
    check: checkAmqp,
    async send(target, message) {
      const parsed = parseTarget(target);
      if ('result' in parsed) return parsed.result;
      const { url, secrets } = parsed;
      const { exchange, routingKey: template } = amqpOptions(target.options);
      const routingKey = renderTemplate(template, message.template);
      const invalid = routingKeyProblem(routingKey);
      if (invalid !== null) {
        const error = { kind: 'invalid_url' as const, message: `routing key "${routingKey}" ${invalid}` };
        return failed(error, 'permanent', 0);
      }
      return runSend({
        pool,
        policy: ctx.policy,
        clock,
        target,
        message,
        url,
        secrets,
        open: (host, lost) => openAmqp(url, host, lost),
        publish: (conn) => publishAmqp(conn, exchange, routingKey, message, url.host),
        describe: describeAmqpError,
      });
    },
    close: () => pool.close(),
  };
}
