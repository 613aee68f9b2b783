/** What a `redis://` endpoint may hold, and its options with defaults applied. */
import {
  type CheckProblem,
  commonUrlProblem,
  destinationProblem,
  firstProblem,
  notAnInteger,
  notAString,
  templateNameProblem,
  unknownOptions,
  urlProblem,
} from '../options.ts';

export const REDIS_SCHEMES = ['redis', 'rediss'] as const;
const OPTIONS = ['stream', 'maxLen'] as const;
const EXAMPLE = 'redis://user:password@redis.example.com:6379/0';

export interface RedisStreamOptions {
  stream: string;
  maxLen: number | undefined;
}

export function redisOptions(options: Record<string, unknown>): RedisStreamOptions {
  return {
    stream: typeof options.stream === 'string' ? options.stream : '',
    maxLen: typeof options.maxLen === 'number' ? options.maxLen : undefined,
  };
}

/** The database the URL's path names (`/2`), 0 when it names none; NaN when the path is not a number. */
export function databaseOf(url: URL): number {
  const path = url.pathname.replace(/^\//, '');
  if (path === '') return 0;
  return /^\d{1,5}$/.test(path) ? Number(path) : Number.NaN;
}

/** Why a (rendered) stream key cannot be written to, or null. */
export function streamKeyProblem(key: string): string | null {
  return key === '' ? 'is empty; name a stream, e.g. "{{tenantId}}.events"' : null;
}

export function checkRedis(url: URL, options: Record<string, unknown>): CheckProblem {
  return firstProblem(
    () =>
      (REDIS_SCHEMES as readonly string[]).includes(url.protocol.slice(0, -1))
        ? null
        : urlProblem(`a Redis URL starts with redis:// or rediss://, e.g. ${EXAMPLE}`),
    () => commonUrlProblem(url, 'Redis', EXAMPLE, true),
    () =>
      Number.isNaN(databaseOf(url))
        ? urlProblem(`a Redis URL's path is a database number, e.g. ${EXAMPLE}; "${url.pathname}" is not one`)
        : null,
    () => unknownOptions(options, OPTIONS, 'Redis'),
    () =>
      options.stream === undefined
        ? destinationProblem(
            'destination.stream is required: the stream to XADD to, e.g. "{{tenantId}}.events"',
          )
        : null,
    () => notAString(options, 'stream'),
    () => notAnInteger(options, 'maxLen', 1, Number.MAX_SAFE_INTEGER),
    () => templateNameProblem('stream', redisOptions(options).stream, streamKeyProblem),
  );
}
