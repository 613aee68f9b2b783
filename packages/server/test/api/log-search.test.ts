/**
 * Finding things in the delivery log (issue 14), on both stores: event type
 * patterns as endpoints subscribe (`order.*`, `*.created`), request id
 * prefixes, response codes and classes, strict time order over pages, a
 * summary that counts exactly what the list shows (and pending deliveries by
 * the filters a delivery has), and typed-in text that is refused with a 422
 * naming the field, never a regular expression or a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import type { Attempt } from '../../src/domain/types.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const LOG = '/v1/tenants/acme/attempts';
const T0 = Date.parse('2026-01-15T12:00:00.000Z');
const TYPES = ['order.created', 'order.paid', 'order.refund.created', 'user.created', 'user.deleted'];

describe.each(API_STORE_KINDS)('searching the delivery log on $name', (kind) => {
  let h: StoreApi;
  /** Attempts of acme in insertion order (not time order: see `seedAttempts`). */
  const made: Attempt[] = [];
  const events: Record<string, string> = {};
  const endpoints = { all: '', users: '' };

  function attempt(overrides: Partial<Attempt> & Pick<Attempt, 'createdAt'>): Attempt {
    return {
      id: newId('att', overrides.createdAt),
      requestId: newId('req', overrides.createdAt),
      tenantId: 'acme',
      deliveryId: null,
      eventId: null,
      endpointId: endpoints.all,
      eventType: 'order.created',
      attemptNumber: 1,
      trigger: 'scheduled',
      url: 'https://example.com/hook',
      method: 'POST',
      requestHeaders: {},
      requestBody: '{}',
      responseStatus: 200,
      responseHeaders: {},
      responseBody: 'ok',
      durationMs: 10,
      error: null,
      succeeded: true,
      ...overrides,
    };
  }

  /**
   * Ten attempts, two per type, a second apart, with statuses 200/404/503/none
   * in turn; then two more made in the same millisecond, and one whose id was
   * minted after the others' although it was made first (a slow request).
   */
  async function seedAttempts() {
    const statuses = [200, 404, 503, null] as const;
    for (let i = 0; i < 10; i++) {
      const status = statuses[i % 4]!;
      made.push(
        attempt({
          createdAt: T0 + i * 1000,
          eventType: TYPES[i % 5]!,
          eventId: events[TYPES[i % 5]!]!,
          endpointId: i % 2 === 0 ? endpoints.all : endpoints.users,
          responseStatus: status,
          succeeded: status === 200,
          error: status === null ? { kind: 'timeout', message: 'no answer in 5000 ms' } : null,
          trigger: i === 9 ? 'manual' : 'scheduled',
        }),
      );
    }
    made.push(attempt({ createdAt: T0 + 20_000 }), attempt({ createdAt: T0 + 20_000 }));
    // Minted last, made before everything above: id order would put it first.
    made.push({ ...attempt({ createdAt: T0 - 5000 }), id: newId('att', T0 + 60_000) });
    made.push(attempt({ createdAt: T0 + 1000, trigger: 'test', eventType: 'order.created' }));
    for (const a of made) await h.store.insertAttempt(a);
    await h.store.insertAttempt({
      ...attempt({ createdAt: T0 }),
      tenantId: 'other',
      eventType: 'order.created',
    });
  }

  beforeAll(async () => {
    h = await startApiOn(kind);
    await h.tenant('acme');
    await h.tenant('other');
    const ep = async (body: object) => {
      const res = await h.call('POST', '/v1/tenants/acme/endpoints', {
        url: 'https://example.com/hook',
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    endpoints.all = await ep({ name: 'all' });
    endpoints.users = await ep({ name: 'users', eventTypes: ['user.*'] });
    // No worker runs here: every delivery stays pending. One event per type, a minute apart.
    for (const [i, type] of TYPES.entries()) {
      h.clock.now = T0 + i * 60_000;
      const sent = await h.call('POST', '/v1/tenants/acme/events', { type, data: {} });
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      events[type] = sent.body.id;
    }
    await seedAttempts();
  }, 60_000);
  afterAll(async () => h?.close());

  /** Newest first by time, ties by id: the log's order. */
  const inLogOrder = (list: Attempt[]) =>
    [...list]
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((a) => a.id);
  const logged = () => made.filter((a) => a.trigger !== 'test');
  const get = async (query: string) => {
    const res = await h.call('GET', `${LOG}?limit=250&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as { id: string }[]).map((a) => a.id);
  };
  const summary = async (query: string) => {
    const res = await h.call('GET', `${LOG}/summary?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { total: number; succeeded: number; failed: number; pending: number };
  };

  it('lists newest first by time, ties by id, the same over pages of any size', async () => {
    const expected = inLogOrder(logged());
    expect(await get('')).toEqual(expected);
    // The slow request's attempt is last although its id is the greatest.
    expect(expected.at(-1)).toBe(made[12]!.id);
    for (const limit of [1, 2, 5]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `${LOG}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await h.call('GET', url);
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((a: { id: string }) => a.id));
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      expect(seen, `limit=${limit}`).toEqual(expected);
    }
    // A cursor made before the log was in time order (an id alone) goes on after that attempt.
    const legacy = Buffer.from(expected[3]!, 'utf8').toString('base64url');
    const after = await h.call('GET', `${LOG}?limit=250&cursor=${legacy}`);
    expect(after.status).toBe(200);
    expect(after.body.data.map((a: { id: string }) => a.id)).toEqual(expected.slice(4));
    expectError(
      await h.call('GET', `${LOG}?cursor=${Buffer.from('att_unknown').toString('base64url')}`),
      400,
      'bad_request',
    );
  });

  const typeCases: [string, (type: string) => boolean][] = [
    ['order.created', (t) => t === 'order.created'],
    ['order.*', (t) => t.startsWith('order.')],
    ['*.created', (t) => t === 'order.created' || t === 'user.created'],
    ['order.*.created', (t) => t === 'order.refund.created'],
    ['*.*', () => true],
    ['*', () => true],
    ['user.*', (t) => t.startsWith('user.')],
    ['order', () => false],
  ];
  for (const [pattern, keep] of typeCases) {
    it(`filters by eventType=${pattern}, and the summary counts the same attempts`, async () => {
      const q = `eventType=${encodeURIComponent(pattern)}`;
      const shown = logged().filter((a) => keep(a.eventType));
      expect(await get(q)).toEqual(inLogOrder(shown));
      const s = await summary(q);
      expect(s).toMatchObject({
        total: shown.length,
        succeeded: shown.filter((a) => a.succeeded).length,
        failed: shown.filter((a) => !a.succeeded).length,
      });
      // Pending deliveries by the same pattern: one per matching event and subscribed endpoint.
      const pending = TYPES.filter(keep).reduce((n, t) => n + (t.startsWith('user.') ? 2 : 1), 0);
      expect(s.pending).toBe(pending);
    });
  }

  it('matches a request id by its beginning, case-sensitively', async () => {
    const one = made[3]!;
    expect(await get(`requestId=${one.requestId}`)).toEqual([one.id]);
    const prefix = one.requestId.slice(0, 12);
    const sharing = logged().filter((a) => a.requestId.startsWith(prefix));
    expect(sharing.length).toBeGreaterThan(0);
    expect(await get(`requestId=${prefix}`)).toEqual(inLogOrder(sharing));
    expect(await get('requestId=req_')).toEqual(inLogOrder(logged()));
    expect(await get(`requestId=${one.requestId.toLowerCase()}`)).toEqual([]);
    expect(await get('requestId=req_ZZZZ')).toEqual([]);
    expect((await summary(`requestId=${one.requestId}`)).total).toBe(1);
  });

  it('filters by response code and class, 5XX as 5xx', async () => {
    const with503 = inLogOrder(logged().filter((a) => a.responseStatus === 503));
    expect(await get('statusCode=503')).toEqual(with503);
    expect(await get('statusCode=5xx')).toEqual(with503);
    expect(await get('statusCode=5XX')).toEqual(with503);
    expect(await get('statusCode=4xx')).toEqual(inLogOrder(logged().filter((a) => a.responseStatus === 404)));
  });

  it('gives a summary that follows every filter, pending by what applies to deliveries', async () => {
    const all = await summary('');
    expect(all).toEqual({
      total: logged().length,
      succeeded: logged().filter((a) => a.succeeded).length,
      failed: logged().filter((a) => !a.succeeded).length,
      pending: 7, // five events to `all`, the two user.* ones to `users` too
    });
    const cases: [string, (a: Attempt) => boolean, number][] = [
      [`endpointId=${endpoints.users}`, (a) => a.endpointId === endpoints.users, 2],
      [`eventId=${events['user.created']}`, (a) => a.eventId === events['user.created'], 2],
      ['status=failed', (a) => !a.succeeded, 7],
      ['statusCode=404', (a) => a.responseStatus === 404, 7],
      ['errorKind=timeout', (a) => a.error?.kind === 'timeout', 7],
      ['trigger=manual', (a) => a.trigger === 'manual', 0],
      // Deliveries by when they were created: user.created's and user.deleted's events came last.
      [`since=${T0 + 180_000}`, (a) => a.createdAt >= T0 + 180_000, 4],
      [`until=${T0 + 5000}`, (a) => a.createdAt <= T0 + 5000, 1],
      // Only order.created's event was created by then: one pending delivery of an order.* type.
      [
        `eventType=order.*&until=${T0 + 8000}&status=succeeded`,
        (a) => a.eventType.startsWith('order.') && a.createdAt <= T0 + 8000 && a.succeeded,
        1,
      ],
      [
        `eventType=order.*&since=${T0 + 1000}&until=${T0 + 8000}`,
        (a) => a.eventType.startsWith('order.') && a.createdAt >= T0 + 1000 && a.createdAt <= T0 + 8000,
        0,
      ],
    ];
    for (const [query, keep, pending] of cases) {
      const shown = made.filter((a) => (query.includes('trigger=') ? true : a.trigger !== 'test') && keep(a));
      expect(await get(query), query).toEqual(inLogOrder(shown));
      expect(await summary(query), query).toEqual({
        total: shown.length,
        succeeded: shown.filter((a) => a.succeeded).length,
        failed: shown.filter((a) => !a.succeeded).length,
        pending,
      });
    }
  });

  const refused: [string, string, RegExp][] = [
    [
      'eventType=ord%5Ber',
      'query.eventType',
      /'ord\[er' is not an event type or pattern.*e\.g\. order\.created, order\.\* or \*\.created$/,
    ],
    ['eventType=timeout%20error', 'query.eventType', /not an event type or pattern/],
    ['eventType=order.', 'query.eventType', /not an event type or pattern/],
    ['eventType=dev*', 'query.eventType', /'\*' for a whole segment/],
    ['eventType=', 'query.eventType', /must not be empty/],
    ['eventType=order.*%402', 'query.eventType', /pins a version.*filter by 'order\.\*'/],
    [`eventType=${'a.'.repeat(80)}b`, 'query.eventType', /at most 140/],
    ['requestId=req%201', 'query.requestId', /its beginning/],
    ['requestId=%25', 'query.requestId', /its beginning/],
    ['statusCode=timeout', 'query.statusCode', /code from 100 to 599.*not 'timeout'.*errorKind/],
    ['statusCode=600', 'query.statusCode', /code from 100 to 599/],
    ['statusCode=5x', 'query.statusCode', /class \(5xx\)/],
    [`since=${T0 + 5000}&until=${T0}`, 'query.until', /not be earlier than query.since/],
    ['since=yesterday', 'query.since', /ISO 8601/],
    ['trigger=tests', 'query.trigger', /scheduled, manual, test/],
    ['cursor=bm9wZQ', 'cursor', /cursor is not valid/],
  ];
  for (const [query, path, message] of refused) {
    it(`refuses ${query} with a clear 4xx naming ${path}, on the list and the summary`, async () => {
      for (const url of [`${LOG}?${query}`, `${LOG}/summary?${query}`]) {
        if (url.includes('/summary') && query.startsWith('cursor=')) continue;
        const res = await h.call('GET', url);
        const status = path === 'cursor' ? 400 : 422;
        const error = expectError(res, status, status === 400 ? 'bad_request' : 'validation_failed');
        expect(error.message).toMatch(message);
        expect(error.message).not.toMatch(/must match pattern|\^\[|\$"/);
        if (status === 422) expect(error.message.startsWith(path)).toBe(true);
      }
    });
  }

  it('refuses the same text in a bulk retry body, naming the body field', async () => {
    const retry = (body: object) => h.call('POST', `${LOG}/retry`, body);
    expect(expectError(await retry({ eventType: 'ord[er' }), 422, 'validation_failed').message).toMatch(
      /^body\.eventType/,
    );
    expect(expectError(await retry({ statusCode: 'timeout' }), 422, 'validation_failed').message).toMatch(
      /^body\.statusCode/,
    );
    expect(expectError(await retry({ requestId: 'req 1' }), 422, 'validation_failed').message).toMatch(
      /^body\.requestId/,
    );
    expect((await retry({ eventType: 'order.*', statusCode: '5xx' })).status).toBe(202);
  });

  it("never shows another tenant's attempts, and answers 404 for its ids and for unknown tenants", async () => {
    const theirs = (await h.store.listAttempts('other', {}, { limit: 10 })).data[0]!;
    expect(await get(`requestId=${theirs.requestId}`)).toEqual([]);
    expect((await h.call('GET', `${LOG}/${theirs.id}`)).status).toBe(404);
    expectError(await h.call('GET', '/v1/tenants/nobody/attempts?eventType=order.*'), 404, 'not_found');
    expectError(await h.call('GET', '/v1/tenants/nobody/attempts/summary'), 404, 'not_found');
  });
});
