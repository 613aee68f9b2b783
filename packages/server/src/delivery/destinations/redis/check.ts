/** What a `redis://` endpoint may hold. */
import { endpointSpec, type OptionValues, urlProblem } from '../options.ts';

const EXAMPLE = 'redis://user:password@redis.example.com:6379/0';

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

export const REDIS_ENDPOINT = endpointSpec({
  kind: 'Redis',
  schemes: { redis: { port: 6379, tls: false }, rediss: { port: 6379, tls: true } },
  example: EXAMPLE,
  schemeHint: 'a Redis URL starts with redis:// or rediss://',
  allowPath: true,
  url: (url) =>
    Number.isNaN(databaseOf(url))
      ? urlProblem(`a Redis URL's path is a database number, e.g. ${EXAMPLE}; "${url.pathname}" is not one`)
      : null,
  options: {
    stream: {
      type: 'string',
      default: '',
      required: 'is required: the stream to XADD to, e.g. "{{tenantId}}.events"',
    },
    maxLen: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER },
  },
  // The only key refused is the empty one, so the message does not quote it.
  name: { option: 'stream', problem: streamKeyProblem, label: () => 'stream name' },
});

export type RedisStreamOptions = OptionValues<typeof REDIS_ENDPOINT.options>;
