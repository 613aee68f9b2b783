/**
 * One AMQP connection with one confirm channel, as the pool holds it. The
 * channel is the connection's only use, so a channel the broker closes (an
 * exchange that does not exist, a refused permission) drops the whole
 * connection: the next send opens both again.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { AttemptError } from '../../../domain/types.ts';
import type { BrokerAddress, PublishRequest } from '../define-kind.ts';
import { AttemptFailure, CONNECT_BUDGET_MS, withDeadline } from '../outcome.ts';
import type { PooledConnection } from '../pool.ts';
import { type AmqpOptions, vhostOf } from './check.ts';

export interface AmqpConnection extends PooledConnection {
  channel: ConfirmChannel;
  /** The error the broker closed the channel or connection with, if it did. */
  closeReason: Error | undefined;
}

export async function openAmqp(to: BrokerAddress, lost: (reason: unknown) => void): Promise<AmqpConnection> {
  const { host, username, password, tls } = to;
  // The client library loads with the first connection: an installation that sends
  // only HTTP never holds it in memory (together the four broker clients are ~50 MB of RSS).
  const { default: amqp } = await import('amqplib');
  const model: ChannelModel = await amqp.connect(
    {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: host.address,
      port: to.port,
      // Both unset means RabbitMQ's guest/guest, as amqplib does for a URL without userinfo.
      ...(username !== undefined || password !== undefined
        ? { username: username ?? '', password: password ?? '' }
        : {}),
      vhost: vhostOf(to.url),
    },
    {
      timeout: CONNECT_BUDGET_MS,
      noDelay: true,
      ...(tls && host.servername !== undefined ? { servername: host.servername } : {}),
      clientProperties: { connection_name: 'herald' },
    },
  );
  const conn: AmqpConnection = {
    channel: undefined as unknown as ConfirmChannel,
    closeReason: undefined,
    close: async () => {
      try {
        await withDeadline(model.close(), 2000, () => new Error('close timed out'));
      } catch {
        // Already closed, or the broker is gone: nothing left to release.
      }
    },
  };
  // amqplib emits 'error' before 'close' for a broker-initiated close; without a listener it would throw.
  model.on('error', (err: Error) => {
    conn.closeReason ??= err;
  });
  model.on('close', (err?: Error) => lost(conn.closeReason ?? err ?? new Error('connection closed')));
  try {
    conn.channel = await model.createConfirmChannel();
  } catch (err) {
    await conn.close();
    throw err;
  }
  conn.channel.on('error', (err: Error) => {
    conn.closeReason ??= err;
  });
  conn.channel.on('close', () => lost(conn.closeReason ?? new Error('channel closed')));
  return conn;
}

/** Publishes persistently and resolves once the broker confirms; a nack or a closed channel rejects. */
export function publishAmqp(
  conn: AmqpConnection,
  { name: routingKey, options: { exchange }, message, where }: PublishRequest<AmqpOptions>,
): Promise<{ body: string }> {
  const headers = message.headers;
  return new Promise((resolve, reject) => {
    const onConfirm = (err: unknown) => {
      if (err === null || err === undefined) {
        const name = exchange === '' ? 'the default exchange' : `exchange "${exchange}"`;
        resolve({ body: `confirmed by ${name} with routing key "${routingKey}"` });
      } else if (conn.closeReason !== undefined) {
        reject(conn.closeReason);
      } else {
        reject(
          new AttemptFailure({
            kind: 'network',
            message: `${where} could not take the message (basic.nack from exchange "${exchange}"); it is retried`,
          }),
        );
      }
    };
    try {
      conn.channel.publish(
        exchange,
        routingKey,
        Buffer.from(message.body, 'utf8'),
        {
          headers,
          persistent: true,
          type: message.template.type,
          appId: 'herald',
          ...(headers['content-type'] !== undefined ? { contentType: headers['content-type'] } : {}),
          ...(headers['webhook-id'] !== undefined ? { messageId: headers['webhook-id'] } : {}),
        },
        onConfirm,
      );
    } catch (err) {
      reject(conn.closeReason ?? err);
    }
  });
}

/** RabbitMQ's own refusals (a missing exchange, a login or vhost refused) in words an endpoint owner can act on. */
export function describeAmqpError(err: unknown, where: string): AttemptError | null {
  const reason = (err as { reason?: unknown }).reason ?? err;
  const code = (reason as { code?: unknown } | null)?.code;
  const text = reason instanceof Error ? reason.message : String(reason);
  // The broker's text after `with message "…"`, e.g. NOT_FOUND - no exchange 'x' in vhost '/'.
  const said = /with message "([^"]*)"/.exec(text)?.[1] ?? text;
  if (code === 404) {
    return {
      kind: 'network',
      message: `${where}: ${said}; declare it on the broker or change destination.exchange`,
    };
  }
  if (code === 403 || /ACCESS[-_]REFUSED/.test(text)) {
    return {
      kind: 'network',
      message: `${where} refused access: ${said}; check the URL's user and vhost permissions`,
    };
  }
  if (code === 530 || /NOT[-_]ALLOWED/.test(text)) {
    return {
      kind: 'network',
      message: `${where} refused the vhost: ${said}; check the vhost in the URL's path`,
    };
  }
  if (/Expected ConnectionOpenOk/.test(text)) {
    return {
      kind: 'network',
      message: `${where} would not open the vhost in the URL's path; check that it exists and the user may use it`,
    };
  }
  if (typeof code === 'number') return { kind: 'network', message: `${where} closed the channel: ${said}` };
  if (/Socket closed abruptly|Unexpected close/i.test(text)) {
    return { kind: 'connection_reset', message: `${where} closed the connection (${text})` };
  }
  return null;
}
