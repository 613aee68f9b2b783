/**
 * `redis://` and `rediss://` endpoints: each message is appended to a Redis
 * stream with `XADD <stream> [MAXLEN ~ n] * body <body> <header> <value> …`.
 * Success is the entry id Redis answers (recorded in the attempt log), which
 * means the entry is in the stream; consumers read it with XREAD or a
 * consumer group. The headers (signature, `webhook-id`, `content-type`,
 * custom) are the entry's fields after `body`, so a consumer verifies the
 * signature over the `body` field with the `webhook-*` fields.
 */
import { failed } from '../outcome.ts';
import { ConnectionPool, DEFAULT_IDLE_MS } from '../pool.ts';
import type { DestinationContext, DestinationKind } from '../port.ts';
import { parseTarget, runSend } from '../run-send.ts';
import { renderTemplate } from '../template.ts';
import { checkRedis, REDIS_SCHEMES, redisOptions, streamKeyProblem } from './check.ts';
import { describeRedisError, openRedis, type RedisConnection, xadd } from './connection.ts';

export function createRedisKind(ctx: DestinationContext): DestinationKind {
  const pool = new ConnectionPool<RedisConnection>(ctx.idleMs ?? DEFAULT_IDLE_MS);
  const clock = ctx.clock ?? (() => performance.now());

  return {
    schemes: REDIS_SCHEMES,
    check: checkRedis,
    async send(target, message) {
      const parsed = parseTarget(target);
      if ('result' in parsed) return parsed.result;
      const { url, secrets } = parsed;
      const { stream: template, maxLen } = redisOptions(target.options);
      const stream = renderTemplate(template, message.template);
      const invalid = streamKeyProblem(stream);
      if (invalid !== null) {
        return failed({ kind: 'invalid_url', message: `stream name ${invalid}` }, 'permanent', 0);
      }
      return runSend({
        pool,
        policy: ctx.policy,
        clock,
        target,
        message,
        url,
        secrets,
        open: (host, lost) => openRedis(url, host, lost),
        publish: (conn) => xadd(conn, stream, maxLen, message),
        describe: describeRedisError,
      });
    },
    close: () => pool.close(),
  };
}
