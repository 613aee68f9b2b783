/**
 * The Redis Streams kind against the Redis on 127.0.0.1:6379, each entry
 * read back with ioredis's own XRANGE and verified with the standardwebhooks
 * library.
 */
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { createRedisKind } from '../../src/delivery/destinations/redis/index.ts';
import { describeDestinationKind, type Received } from './kind-conformance.ts';
import { signedMessage, uniqueName } from './support.ts';

const prefix = uniqueName('herald_test');
let reader: Redis;

/** An entry: its id and its fields as pairs, `body` first. */
type Entry = { id: string; pairs: string[] };

/** Every entry of every stream under the prefix. */
async function entries(): Promise<Received<Entry>[]> {
  const out: Received<Entry>[] = [];
  for (const stream of await reader.keys(`${prefix}*`)) {
    if ((await reader.type(stream)) !== 'stream') continue;
    for (const [id, pairs] of (await reader.xrange(stream, '-', '+')) as [string, string[]][]) {
      const headers: Record<string, string> = {};
      for (let i = 2; i < pairs.length; i += 2) headers[pairs[i]!] = pairs[i + 1]!;
      expect(pairs[0]).toBe('body');
      out.push({ name: stream, body: Buffer.from(pairs[1]!, 'utf8'), headers, raw: { id, pairs } });
    }
  }
  return out;
}

describeDestinationKind<Entry>(
  'redis',
  {
    create: createRedisKind,
    broker: 'redis://127.0.0.1:6379',
    nameOption: 'stream',
    name: (suffix) => `${prefix}.${suffix}`,
    async consume() {
      reader = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
      await reader.connect();
      return {
        received: entries,
        close: async () => {
          const keys = await reader.keys(`${prefix}*`);
          if (keys.length > 0) await reader.del(...keys);
          await reader.quit();
        },
      };
    },
    published(result, got) {
      expect(result.body).toBe(`XADD ${got.raw.id} to stream "${got.name}"`);
    },
    wrongPassword: /WRONGPASS|NOAUTH|AUTH/,
    check: {
      accepts: [
        ['redis://u:p@redis.example.com:6379/2', { stream: '{{tenantId}}.events', maxLen: 1000 }],
        ['rediss://redis.example.com', { stream: 'events' }],
      ],
      refuses: [
        ['redis://host/db1', { stream: 's' }, 'url', /path is a database number/],
        ['redis://host', {}, 'destination', /stream is required/],
        [
          'redis://host',
          { stream: 's', maxlen: 5 },
          'destination',
          /no option "maxlen"; the options are "stream", "maxLen"/,
        ],
        ['redis://host', { stream: 7 }, 'destination', /stream must be a string/],
        ['redis://host', { stream: 's', maxLen: 0 }, 'destination', /maxLen must be a whole number from 1/],
        [
          'redis://host',
          { stream: 's', maxLen: '5' },
          'destination',
          /maxLen must be a whole number.*the string "5"/,
        ],
        ['redis://host', { stream: '{{tenant}}' }, 'destination', /unknown placeholder "\{\{tenant\}\}"/],
        ['redis://host', { stream: '' }, 'destination', /is empty/],
      ],
    },
  },
  ({ kind, target }) => {
    it('trims with MAXLEN ~', async () => {
      const k = kind();
      const t = target({ stream: `${prefix}.trim{{resource}}`, maxLen: 5 });
      for (let i = 0; i < 300; i++) expect((await k.send(t, signedMessage())).verdict).toBe('success');
      const length = await reader.xlen(`${prefix}.trim`);
      // `~` lets Redis trim whole nodes only: fewer than were sent, at least the limit.
      expect(length).toBeLessThan(300);
      expect(length).toBeGreaterThanOrEqual(5);
    });

    it('reports a key of another type as a broker refusal', async () => {
      const key = `${prefix}.notastream`;
      await reader.set(key, 'x');
      const result = await kind().send(target({ stream: key }), signedMessage());
      expect(result.verdict).toBe('retryable');
      expect(result.error?.message).toMatch(/WRONGTYPE.*choose another destination\.stream/);
    });
  },
);
