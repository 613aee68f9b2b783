/**
 * One ioredis client as the pool holds it. The library's own reconnecting
 * and offline queue are off: a command on a broken connection fails at once
 * (retried on the endpoint's schedule) instead of waiting to be replayed,
 * and the pool opens a new client, on a re-checked address, for the next send.
 */
import type { Redis } from 'ioredis';
import type { AttemptError } from '../../../domain/types.ts';
import type { BrokerAddress, PublishRequest } from '../define-kind.ts';
import { AttemptFailure, CONNECT_BUDGET_MS, withDeadline } from '../outcome.ts';
import type { PooledConnection } from '../pool.ts';
import { databaseOf, type RedisStreamOptions } from './check.ts';

export interface RedisConnection extends PooledConnection {
  client: Redis;
}

export async function openRedis(
  to: BrokerAddress,
  lost: (reason: unknown) => void,
): Promise<RedisConnection> {
  const { host, username, password, tls } = to;
  let lastError: unknown;
  // The client library loads with the first connection: an installation that sends
  // only HTTP never holds it in memory (together the four broker clients are ~50 MB of RSS).
  const { Redis } = await import('ioredis');
  const client = new Redis({
    host: host.address,
    port: to.port,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    db: databaseOf(to.url),
    ...(tls ? { tls: host.servername !== undefined ? { servername: host.servername } : {} } : {}),
    // RESP2: every Redis since streams exist (5.0) speaks it; XADD answers the same either way.
    protocol: 2,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: CONNECT_BUDGET_MS,
    connectionName: 'herald',
  });
  // Without a listener ioredis prints every error; the reason is kept for the 'close' below.
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  const close = async () => {
    try {
      await withDeadline(client.quit(), 2000, () => new Error('quit timed out'));
    } catch {
      client.disconnect();
    }
  };
  // Listened to before connecting: a close between 'ready' and connect() resolving must not go unseen.
  client.on('close', () => lost(lastError ?? new Error('connection closed')));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    // connect() rejects with "Connection is closed."; the 'error' event had the cause (refused, WRONGPASS…).
    throw lastError ?? err;
  }
  return { client, close };
}

/** XADD with the body first, then one field per header; resolves with the entry id. */
export async function xadd(
  conn: RedisConnection,
  { name: stream, options: { maxLen }, message }: PublishRequest<RedisStreamOptions>,
): Promise<{ body: string }> {
  const args: (string | number)[] = [stream];
  if (maxLen !== undefined) args.push('MAXLEN', '~', maxLen);
  args.push('*', 'body', message.body);
  for (const [name, value] of Object.entries(message.headers)) args.push(name, value);
  const id = await conn.client.call('XADD', args);
  if (typeof id !== 'string') {
    throw new AttemptFailure({
      kind: 'network',
      message: `XADD to stream "${stream}" answered ${String(id)}`,
    });
  }
  return { body: `XADD ${id} to stream "${stream}"` };
}

/** Redis's refusals (a key of another type, a refused login, out of memory) and ioredis's closed-connection errors. */
export function describeRedisError(err: unknown, where: string): AttemptError | null {
  const text = err instanceof Error ? err.message : String(err);
  if ((err as { name?: unknown }).name === 'ReplyError') {
    if (text.startsWith('WRONGTYPE')) {
      return {
        kind: 'network',
        message: `${where}: the stream key holds another type of value (${text}); delete it or choose another destination.stream`,
      };
    }
    if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(text)) {
      return { kind: 'network', message: `${where} refused: ${text}; check the URL's user and password` };
    }
    return { kind: 'network', message: `${where} answered: ${text}` };
  }
  if (/Connection is closed|Stream isn't writeable/i.test(text)) {
    return { kind: 'connection_reset', message: `${where} closed the connection (${text})` };
  }
  return null;
}
