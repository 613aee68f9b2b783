/**
 * The delivery log's trigger and errorKind filters, on both stores, over
 * attempts a real Herald made against loopback: a 200, a 500, a receiver
 * that hangs past the endpoint's timeout, and a closed port. Mock events and
 * test sends are no part of the log (listed only with trigger=test) and count
 * in no summary, stat or metric.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogHerald, metricLines, oneShotEndpoint, settled, startLogHerald } from './log-herald.ts';
import { API_STORE_KINDS, expectError } from './store-kinds.ts';

const LOG = '/v1/tenants/acme/attempts';
const METRICS = ['herald_attempt_duration_seconds', 'herald_deliveries_total'];

interface LoggedAttempt {
  id: string;
  trigger: string;
  endpointId: string | null;
  responseStatus: number | null;
  error: { kind: string } | null;
  createdAt: string;
}

describe.each(API_STORE_KINDS)('the delivery log on $name', (kind) => {
  let h: LogHerald;
  const ep: Record<'ok' | 'fail' | 'hang' | 'refused', string> = { ok: '', fail: '', hang: '', refused: '' };
  /** The attempts Herald made for events, by endpoint name. */
  const scheduled: Record<string, string> = {};
  /** The test sends' attempt ids, by what they were sent to. */
  const mocks: Record<'ok' | 'fail' | 'refused' | 'unsaved', string> = {
    ok: '',
    fail: '',
    refused: '',
    unsaved: '',
  };
  let before: { summary: unknown; stats: unknown; okStats: unknown; metrics: string[] };

  const list = async (query: string): Promise<LoggedAttempt[]> => {
    const res = await h.api.get(`${LOG}?limit=250${query ? `&${query}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.data;
  };
  const ids = async (query: string) => (await list(query)).map((a) => a.id).sort();
  const stats = async (path = '/v1/tenants/acme/stats') => (await h.api.get(`${path}?bucket=1h`)).body.totals;

  beforeAll(async () => {
    h = await startLogHerald(kind);
    const { api, receiver } = h;
    expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
    ep.ok = await oneShotEndpoint(api, 'acme', `${receiver.url}/ok`, 'probe.ok');
    ep.fail = await oneShotEndpoint(api, 'acme', `${receiver.url}/fail`, 'probe.fail');
    ep.hang = await oneShotEndpoint(api, 'acme', `${receiver.url}/hang`, 'probe.hang', { timeoutMs: 1000 });
    ep.refused = await oneShotEndpoint(api, 'acme', `http://127.0.0.1:${h.closedPort}/x`, 'probe.refused');
    for (const name of Object.keys(ep)) {
      expect((await api.post('/v1/tenants/acme/events', { type: `probe.${name}`, data: {} })).status).toBe(
        202,
      );
    }
    await settled(api, 'acme', 4);
    for (const a of await list(''))
      scheduled[Object.entries(ep).find(([, id]) => id === a.endpointId)![0]] = a.id;
    before = {
      summary: (await api.get(`${LOG}/summary`)).body,
      stats: await stats(),
      okStats: await stats(`/v1/tenants/acme/endpoints/${ep.ok}/stats`),
      metrics: await metricLines(h.url, METRICS),
    };

    const mock = async (path: string, body: unknown) => {
      const res = await api.post(`/v1/tenants/acme/endpoints/${path}`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.attemptId as string;
    };
    mocks.ok = await mock(`${ep.ok}/test`, { eventType: 'probe.ok', payload: { mock: true } });
    mocks.fail = await mock(`${ep.fail}/test`, {});
    mocks.refused = await mock(`${ep.refused}/test`, {});
    mocks.unsaved = await mock('test', { url: `${receiver.url}/ok` });
  }, 60_000);
  afterAll(async () => h?.close());

  it('leaves test sends out of the default log, and lists them with trigger=test', async () => {
    expect(await ids('')).toEqual(Object.values(scheduled).sort());
    expect((await list('')).every((a) => a.trigger === 'scheduled')).toBe(true);
    expect(await ids('trigger=test')).toEqual(Object.values(mocks).sort());
    expect((await list('trigger=test')).every((a) => a.trigger === 'test')).toBe(true);
    const both = [...Object.values(scheduled), ...Object.values(mocks)].sort();
    expect(await ids('trigger=scheduled,test')).toEqual(both);
    expect(await ids('trigger=scheduled&trigger=test')).toEqual(both);
    expect(await ids('trigger=manual,scheduled,test')).toEqual(both);
    expect(await ids('trigger=scheduled')).toEqual(Object.values(scheduled).sort());
    expect(await ids('trigger=manual')).toEqual([]);

    // statusCode=200 alone is the one delivery that succeeded, not the mock events that did.
    expect(await ids('statusCode=200')).toEqual([scheduled.ok]);
    expect(await ids('statusCode=200&trigger=test')).toEqual([mocks.ok, mocks.unsaved].sort());
    expect(await ids(`endpointId=${ep.ok}`)).toEqual([scheduled.ok]);
    expect(await ids(`endpointId=${ep.ok}&trigger=test`)).toEqual([mocks.ok]);

    // Test sends mixed in: newest first by time (ties by id) over pages, no gaps or repeats.
    // Not id order: the hung request's attempt is minted last but made before the others.
    const byTime = (await list('trigger=test,scheduled'))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((a) => a.id);
    expect([...byTime].sort()).toEqual(both);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: string = `${LOG}?trigger=test,scheduled&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await h.api.get(page);
      seen.push(...res.body.data.map((a: LoggedAttempt) => a.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(byTime);
  });

  it('counts no test send in the summary, the stats or the metrics', async () => {
    expect(before.summary).toEqual({ total: 4, succeeded: 1, failed: 3, pending: 0 });
    expect((await h.api.get(`${LOG}/summary`)).body).toEqual(before.summary);
    expect((await h.api.get(`${LOG}/summary?trigger=scheduled,test`)).body).toEqual(before.summary);
    expect((await h.api.get(`${LOG}/summary?trigger=test`)).body).toEqual({
      total: 0,
      succeeded: 0,
      failed: 0,
      pending: 0,
    });
    expect((await h.api.get(`${LOG}/summary?statusCode=200`)).body).toMatchObject({ total: 1, succeeded: 1 });
    expect((await h.api.get(`${LOG}/summary?statusCode=200&trigger=test`)).body).toMatchObject({ total: 0 });

    expect(await stats()).toEqual(before.stats);
    expect(before.stats).toMatchObject({ attempts: 4, succeeded: 1, failed: 3 });
    expect(await stats(`/v1/tenants/acme/endpoints/${ep.ok}/stats`)).toEqual(before.okStats);
    expect(before.okStats).toMatchObject({ attempts: 1 });
    expect(await metricLines(h.url, METRICS)).toEqual(before.metrics);
    expect(before.metrics).toContain('herald_attempt_duration_seconds_count 4');
  });

  it('filters by error kind: one, several, and with trigger=test', async () => {
    const timeout = await list('errorKind=timeout');
    expect(timeout.map((a) => a.id)).toEqual([scheduled.hang]);
    expect(timeout[0]).toMatchObject({ responseStatus: null, error: { kind: 'timeout' } });
    const refused = await list('errorKind=refused');
    expect(refused.map((a) => a.id)).toEqual([scheduled.refused]);
    expect(refused[0]).toMatchObject({ responseStatus: null, error: { kind: 'connection_refused' } });
    const http = await list('errorKind=http');
    expect(http.map((a) => a.id)).toEqual([scheduled.fail]);
    expect(http[0]).toMatchObject({ responseStatus: 500, error: { kind: 'http_status' } });

    expect(await ids('errorKind=timeout,http')).toEqual([scheduled.hang, scheduled.fail].sort());
    expect(await ids('errorKind=http&errorKind=refused')).toEqual([scheduled.fail, scheduled.refused].sort());
    for (const none of ['connection', 'dns', 'tls', 'transform'])
      expect(await ids(`errorKind=${none}`)).toEqual([]);
    expect(await ids('errorKind=http&trigger=test')).toEqual([mocks.fail]);
    expect(await ids('errorKind=refused&trigger=test,scheduled')).toEqual(
      [mocks.refused, scheduled.refused].sort(),
    );
    expect((await h.api.get(`${LOG}/summary?errorKind=timeout,refused`)).body).toEqual({
      total: 2,
      succeeded: 0,
      failed: 2,
      pending: 0,
    });
  });

  it('refuses unknown triggers and error kinds with 422, naming the allowed values', async () => {
    const reply = (res: { status: number; body: unknown }) => ({ ...res, headers: {} });
    const trigger = expectError(reply(await h.api.get(`${LOG}?trigger=tests`)), 422, 'validation_failed');
    expect(trigger.message).toBe(
      "query.trigger must be one or more of scheduled, manual, test (comma-separated), not 'tests'",
    );
    expect(trigger.details).toEqual([
      { path: 'query.trigger', message: expect.stringContaining("not 'tests'") },
    ]);
    const kind = expectError(
      reply(await h.api.get(`${LOG}/summary?errorKind=http,oops`)),
      422,
      'validation_failed',
    );
    expect(kind.message).toContain(
      'errorKind must be one or more of timeout, connection, dns, tls, refused, http, transform',
    );
    expect(kind.message).toContain("not 'oops'");
    for (const bad of ['trigger=', 'trigger=scheduled,,test', 'errorKind=http_status', 'errorKind=TIMEOUT']) {
      expectError(reply(await h.api.get(`${LOG}?${bad}`)), 422, 'validation_failed');
    }
    const retry = await h.api.post(`${LOG}/retry`, { trigger: 'nope' });
    expect(expectError(reply(retry), 422, 'validation_failed').message).toMatch(
      /^body\.trigger must be one or more of/,
    );
  });
});
