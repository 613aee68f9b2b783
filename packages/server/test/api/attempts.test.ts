import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import type { Attempt } from '../../src/domain/types.ts';
import { type Harness, startApi } from './harness.ts';

const LOG = '/v1/tenants/acme/attempts';
const T0 = Date.parse('2026-01-15T12:00:00.000Z');

describe('the delivery log', () => {
  let h: Harness;
  const all: Attempt[] = [];

  function attempt(i: number, overrides: Partial<Attempt>): Attempt {
    return {
      id: newId('att', T0 + i * 1000),
      requestId: `req_${i}`,
      tenantId: 'acme',
      deliveryId: null,
      eventId: 'evt_a',
      endpointId: 'ep_a',
      eventType: 'order.created',
      attemptNumber: 1,
      trigger: 'scheduled',
      url: 'https://a.example.com/hook?token=secret-token',
      method: 'POST',
      requestHeaders: { 'content-type': 'application/json' },
      requestBody: '{"x":1}',
      responseStatus: 200,
      responseHeaders: { 'content-type': 'text/plain' },
      responseBody: 'ok',
      durationMs: 25,
      error: null,
      succeeded: true,
      createdAt: T0 + i * 1000,
      ...overrides,
    };
  }

  beforeAll(async () => {
    h = await startApi();
    await h.tenant('acme');
    await h.tenant('other');
    const specs: Partial<Attempt>[] = [
      {},
      { responseStatus: 500, succeeded: false },
      { responseStatus: 503, succeeded: false, endpointId: 'ep_b' },
      { responseStatus: 404, succeeded: false, eventType: 'user.deleted', eventId: 'evt_b' },
      {
        responseStatus: null,
        responseHeaders: null,
        responseBody: null,
        succeeded: false,
        error: { kind: 'timeout', message: 'timed out after 5000 ms' },
      },
      { trigger: 'test', eventId: null, endpointId: 'ep_a', responseStatus: 200 },
      { trigger: 'manual', attemptNumber: 2 },
    ];
    for (const [i, spec] of specs.entries()) {
      const a = attempt(i, spec);
      all.push(a);
      await h.store.insertAttempt(a);
    }
    await h.store.insertAttempt(attempt(99, { tenantId: 'other', requestId: 'req_other' }));
  });
  afterAll(async () => h.close());

  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((a) => a.id);
  const newestFirst = (list: Attempt[]) => [...list].reverse().map((a) => a.id);
  /** What the log shows without a trigger filter: test sends are left out. */
  const logged = () => all.filter((a) => a.trigger !== 'test');

  it('lists every attempt of the tenant but test sends, newest first, with the full record', async () => {
    const res = await h.call('GET', LOG);
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(newestFirst(logged()));
    const timeout = res.body.data.find((a: { requestId: string }) => a.requestId === 'req_4');
    expect(timeout).toMatchObject({ responseStatus: null, error: { kind: 'timeout' }, succeeded: false });
    const first = res.body.data.find((a: { requestId: string }) => a.requestId === 'req_0');
    expect(first).toMatchObject({
      eventId: 'evt_a',
      endpointId: 'ep_a',
      eventType: 'order.created',
      trigger: 'scheduled',
      requestHeaders: { 'content-type': 'application/json' },
      requestBody: '{"x":1}',
      responseBody: 'ok',
      durationMs: 25,
      createdAt: new Date(T0).toISOString(),
    });
    expect(first.url).not.toContain('secret-token');
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${LOG}?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await h.call('GET', url);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(newestFirst(logged()));
  });

  const cases: [string, (a: Attempt) => boolean][] = [
    ['endpointId=ep_b', (a) => a.endpointId === 'ep_b'],
    ['eventType=user.deleted', (a) => a.eventType === 'user.deleted'],
    ['eventId=evt_b', (a) => a.eventId === 'evt_b'],
    ['status=succeeded', (a) => a.succeeded],
    ['status=failed', (a) => !a.succeeded],
    ['statusCode=404', (a) => a.responseStatus === 404],
    ['statusCode=5xx', (a) => a.responseStatus !== null && a.responseStatus >= 500],
    ['requestId=req_3', (a) => a.requestId === 'req_3'],
    [`since=${T0 + 2000}&until=${T0 + 4000}`, (a) => a.createdAt >= T0 + 2000 && a.createdAt <= T0 + 4000],
    [`since=${encodeURIComponent(new Date(T0 + 5000).toISOString())}`, (a) => a.createdAt >= T0 + 5000],
    ['trigger=test', (a) => a.trigger === 'test'],
    ['trigger=manual', (a) => a.trigger === 'manual'],
    ['trigger=scheduled,test&statusCode=200', (a) => a.trigger !== 'manual' && a.responseStatus === 200],
    ['errorKind=timeout', (a) => a.error?.kind === 'timeout'],
  ];
  for (const [query, keep] of cases) {
    it(`filters by ${query}`, async () => {
      const res = await h.call('GET', `${LOG}?${query}`);
      expect(res.status).toBe(200);
      const shown = query.includes('trigger=') ? all : logged();
      const expected = newestFirst(shown.filter(keep));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(res)).toEqual(expected);
    });
  }

  it('refuses a malformed statusCode and status', async () => {
    expect((await h.call('GET', `${LOG}?statusCode=5x`)).status).toBe(422);
    expect((await h.call('GET', `${LOG}?status=maybe`)).status).toBe(422);
    expect((await h.call('GET', `${LOG}?limit=251`)).status).toBe(422);
  });

  it('summarizes attempts without test sends', async () => {
    const res = await h.call('GET', `${LOG}/summary`);
    expect(res.status).toBe(200);
    const counted = all.filter((a) => a.trigger !== 'test');
    expect(res.body).toEqual({
      total: counted.length,
      succeeded: counted.filter((a) => a.succeeded).length,
      failed: counted.filter((a) => !a.succeeded).length,
      pending: 0,
    });
    const filtered = await h.call('GET', `${LOG}/summary?endpointId=ep_a`);
    const epA = counted.filter((a) => a.endpointId === 'ep_a');
    expect(filtered.body.total).toBe(epA.length);
  });

  it('gets one attempt, and 404s for unknown and other tenants’ ids', async () => {
    const one = await h.call('GET', `${LOG}/${all[3]!.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: all[3]!.id, requestId: 'req_3', responseStatus: 404 });
    expect((await h.call('GET', `${LOG}/att_nope`)).status).toBe(404);
    const other = (await h.store.listAttempts('other', {}, { limit: 10 })).data[0]!;
    expect((await h.call('GET', `${LOG}/${other.id}`)).status).toBe(404);
  });
});
