/**
 * Test sends and mock events feed nothing that acts on an endpoint: failing
 * ones add no failure to its circuit (the count that opens it and whose
 * streak auto-disable measures), a 410 to one disables nothing, and bulk
 * retry never re-sends them, whatever its filters ask.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/api-client.ts';
import { type LogHerald, oneShotEndpoint, settled, startLogHerald } from './log-herald.ts';
import { API_STORE_KINDS } from './store-kinds.ts';

const T = '/v1/tenants/acme';

describe.each(API_STORE_KINDS)('test sends and endpoint health on $name', (kind) => {
  let h: LogHerald;
  let flaky = '';
  let gone = '';
  let since = '';

  const hits = (path: string) => h.receiver.requests.filter((r) => r.url === path).length;
  const endpoint = async (id: string) => (await h.api.get(`${T}/endpoints/${id}`)).body;
  /** Runs a bulk retry and waits for it to finish; returns its progress. */
  const bulkRetry = async (body: Record<string, unknown>) => {
    const res = await h.api.post(`${T}/attempts/retry`, { since, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.job.id as string;
    let job: { status: string; progress: { processed: number; affected: number } } | undefined;
    await waitUntil('the retry job', async () => {
      job = (await h.api.get(`${T}/jobs/${id}`)).body;
      return job?.status === 'succeeded';
    });
    return job!.progress;
  };

  beforeAll(async () => {
    // Two failures in a row open a circuit: five failing test sends would, if they counted.
    h = await startLogHerald(kind, { HERALD_CIRCUIT_FAILURE_THRESHOLD: '2' });
    expect((await h.api.post('/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
    since = new Date(Date.now() - 60_000).toISOString();
    flaky = await oneShotEndpoint(h.api, 'acme', `${h.receiver.url}/fail`, 'probe.flaky');
    gone = await oneShotEndpoint(h.api, 'acme', `${h.receiver.url}/gone`, 'probe.gone');
    for (let i = 0; i < 5; i++) {
      const res = await h.api.post(`${T}/endpoints/${flaky}/test`, {
        eventType: 'probe.flaky',
        payload: { n: i },
      });
      expect(res.body).toMatchObject({ status: 500, error: { kind: 'http_status' } });
    }
    expect((await h.api.post(`${T}/endpoints/${gone}/test`, {})).body).toMatchObject({ status: 410 });
    // One real failure: the circuit counts it, so a count that included the tests would be 6.
    expect((await h.api.post(`${T}/events`, { type: 'probe.flaky', data: {} })).status).toBe(202);
    await settled(h.api, 'acme', 1);
  }, 60_000);
  afterAll(async () => h?.close());

  it('opens no circuit, disables nothing, and bulk retry re-sends none of them', async () => {
    expect(await endpoint(flaky)).toMatchObject({
      status: 'active',
      circuit: { state: 'closed', failures: 1 },
    });
    expect(await endpoint(gone)).toMatchObject({
      status: 'active',
      circuit: { state: 'closed', failures: 0 },
    });
    expect(hits('/fail')).toBe(6);

    // Asked for test sends only, or failures of a kind only they had: nothing to retry.
    expect(await bulkRetry({ trigger: 'test' })).toEqual({ processed: 0, affected: 0 });
    expect(await bulkRetry({ trigger: 'test', status: 'failed', endpointId: flaky })).toEqual({
      processed: 0,
      affected: 0,
    });
    expect(await bulkRetry({ endpointId: gone })).toEqual({ processed: 0, affected: 0 });
    expect(await bulkRetry({ errorKind: 'timeout,refused' })).toEqual({ processed: 0, affected: 0 });
    expect(hits('/fail')).toBe(6);
    expect(hits('/gone')).toBe(1);

    // Test sends asked for with the real ones: only the real failure goes again, once.
    expect(await bulkRetry({ trigger: ['scheduled', 'test'], errorKind: 'http' })).toEqual({
      processed: 1,
      affected: 1,
    });
    await waitUntil('the manual retry', async () => {
      const manual = (await h.api.get(`${T}/attempts?trigger=manual`)).body.data;
      return manual.length === 1;
    });
    await settled(h.api, 'acme', 2);
    expect(hits('/fail')).toBe(7);
    expect(hits('/gone')).toBe(1);
    expect(await endpoint(gone)).toMatchObject({ status: 'active' });
    // The second real failure in a row opens it: the five test sends between never counted.
    expect((await endpoint(flaky)).circuit).toMatchObject({ state: 'open' });
  });
});
