/**
 * `redis://` and `rediss://` endpoints: each message is appended to a Redis
 * stream with `XADD <stream> [MAXLEN ~ n] * body <body> <header> <value> …`.
 * Success is the entry id Redis answers (recorded in the attempt log), which
 * means the entry is in the stream; consumers read it with XREAD or a
 * consumer group. The headers (signature, `webhook-id`, `content-type`,
 * custom) are the entry's fields after `body`, so a consumer verifies the
 * signature over the `body` field with the `webhook-*` fields.
 */
import { defineKind } from '../define-kind.ts';
import { REDIS_ENDPOINT } from './check.ts';
import { describeRedisError, openRedis, xadd } from './connection.ts';

export const createRedisKind = defineKind({
  endpoint: REDIS_ENDPOINT,
  connect: openRedis,
  publish: xadd,
  describe: describeRedisError,
});
