/**
 * Every number and time a request carries is range-checked against what both
 * stores hold: out of range is a 422 naming the field and the allowed range,
 * never a 5xx, and nothing is stored (DESIGN.md, v2 "Inputs").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfigFile } from '../../src/config-file.ts';
import { HeraldError } from '../../src/domain/errors.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const URL = 'https://example.com/hooks';

const fieldOf = (error: { details?: unknown }) => (error.details as { path: string }[])[0]?.path;

describe.each(API_STORE_KINDS)('range checks on $name', (kind) => {
  let h: StoreApi;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    await h.tenant('acme');
  });
  afterEach(async () => h?.close());

  const endpointCases: [string, Record<string, unknown>, string][] = [
    ['maxBacklog 1e20', { overflow: 'drop-oldest', maxBacklog: 1e20 }, 'body.maxBacklog'],
    ['maxBacklog 2^31', { overflow: 'drop-oldest', maxBacklog: 2 ** 31 }, 'body.maxBacklog'],
    ['timeoutMs', { timeoutMs: 1e20 }, 'body.timeoutMs'],
    ['maxInFlight', { maxInFlight: 1e20 }, 'body.maxInFlight'],
    ['retry.maxAttempts', { retry: { maxAttempts: 1e20 } }, 'body.retry.maxAttempts'],
    ['retry.schedule', { retry: { maxAttempts: 3, schedule: [1e20] } }, 'body.retry.schedule[0]'],
    ['batch.maxSize', { batch: { maxSize: 1e20, maxWaitMs: 0 } }, 'body.batch.maxSize'],
    ['batch.maxWaitMs', { batch: { maxSize: 10, maxWaitMs: 1e20 } }, 'body.batch.maxWaitMs'],
    ['a vanishing rate', { rateLimit: { perSecond: 1e-300 } }, 'body.rateLimit.perSecond'],
    ['a huge rate', { rateLimit: { perSecond: 1e20 } }, 'body.rateLimit.perSecond'],
    ['rateLimit.burst', { rateLimit: { perSecond: 1, burst: 1e20 } }, 'body.rateLimit.burst'],
  ];

  it.skipIf(kind.skip).each(endpointCases)(
    'refuses an endpoint with %s out of range',
    async (_, extra, path) => {
      const error = expectError(
        await h.call('POST', '/v1/tenants/acme/endpoints', { url: URL, ...extra }),
        422,
        'validation_failed',
      );
      expect(fieldOf(error)).toBe(path);
      // Only the problem itself: not also "must be null" from a nullable field's other branch.
      expect(error.details).toHaveLength(1);
      expect(error.message).toMatch(new RegExp(`^${path.replace(/[[\].]/g, '\\$&')} .*(from|at least) `));
      expect((await h.call('GET', '/v1/tenants/acme/endpoints')).body.data).toEqual([]);
    },
  );

  it.skipIf(kind.skip)(
    'keeps ingest working: maxBacklog 1e20 is refused, not stored to fail every event',
    async () => {
      const refused = await h.call('POST', '/v1/tenants/acme/endpoints', {
        url: URL,
        overflow: 'drop-oldest',
        maxBacklog: 1e20,
      });
      const error = expectError(refused, 422, 'validation_failed');
      expect(error.message).toContain('from 1 to 10000000');
      const kept = await h.call('POST', '/v1/tenants/acme/endpoints', {
        url: URL,
        overflow: 'drop-oldest',
        maxBacklog: 10_000_000,
      });
      expect(kept.status).toBe(201);
      const sent = await h.call('POST', '/v1/tenants/acme/events', { type: 'a.b', data: {} });
      expect(sent.status).toBe(202);
      expect(sent.body.deliveries).toHaveLength(1);
    },
  );

  it.skipIf(kind.skip)('refuses event and test versions PostgreSQL cannot hold', async () => {
    const event = expectError(
      await h.call('POST', '/v1/tenants/acme/events', { type: 'a.b', data: {}, version: 2 ** 31 }),
      422,
      'validation_failed',
    );
    expect(event.message).toBe(
      'body.version must be <= 1000000 (an integer from 1 to 1000000), not 2147483648',
    );
    const batch = await h.call('POST', '/v1/tenants/acme/events/batch', {
      events: [{ type: 'a.b', data: {}, version: 1e20 }],
    });
    expect(fieldOf(expectError(batch, 422, 'validation_failed'))).toBe('body.events[0].version');
    const test = await h.call('POST', '/v1/tenants/acme/endpoints/ep_x/test', { version: 1e20 });
    expect(fieldOf(expectError(test, 422, 'validation_failed'))).toBe('body.version');
    const type = await h.call('POST', '/v1/event-types', { name: 'a.b', version: 2 ** 31 });
    expect(fieldOf(expectError(type, 422, 'validation_failed'))).toBe('body.version');
    expect((await h.store.listEvents('acme', {}, { limit: 10 })).data).toEqual([]);
    expect(await h.store.getEventType('a.b')).toBeNull();
  });

  it.skipIf(kind.skip).each([
    ['/v1/tenants/acme/events?since=100000000000000000000', 'query.since'],
    ['/v1/tenants/acme/events?until=0999-06-01T00:00:00Z', 'query.until'],
    ['/v1/tenants/acme/attempts?since=253402300800000', 'query.since'],
    ['/v1/tenants/acme/attempts/summary?until=99999999999999999', 'query.until'],
    ['/v1/tenants/acme/stats?until=100000000000000000000', 'query.until'],
  ])('refuses the query time in %s', async (url, path) => {
    const error = expectError(await h.call('GET', url), 422, 'validation_failed');
    expect(fieldOf(error)).toBe(path);
    expect(error.message).toContain('between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
  });

  it.skipIf(kind.skip)('takes the first and last times of the range', async () => {
    const first = await h.call('GET', '/v1/tenants/acme/events?since=0&until=9999-12-31T23:59:59.999Z');
    expect(first.status).toBe(200);
    const last = await h.call('GET', '/v1/tenants/acme/attempts?until=253402300799999');
    expect(last.status).toBe(200);
  });
});

describe('the config file', () => {
  it('refuses what the API refuses, naming the key', () => {
    const config = {
      tenants: [{ id: 'acme', endpoints: [{ url: URL, overflow: 'drop-oldest', maxBacklog: 1e20 }] }],
    };
    let thrown: unknown;
    try {
      validateConfigFile(config, 'herald.config.json', { maxCustomHeaders: 5 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HeraldError);
    expect((thrown as HeraldError).code).toBe('config_invalid');
    expect((thrown as HeraldError).message).toBe(
      'herald.config.json: tenants[0].endpoints[0].maxBacklog: must be <= 10000000',
    );
  });
});
