/**
 * Recovery jobs (recover, replay, bulk retry): a refused request stores no
 * job, ids that name nothing are a 404 like everywhere else, and the job list
 * answers whatever rows an older Herald left behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newJob } from '../../src/ops/jobs.ts';
import { opsOf } from '../../src/store/ops-port.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

describe.each(API_STORE_KINDS)('recovery job inputs on $name', (kind) => {
  let h: StoreApi;
  let eid: string;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    await h.tenant('acme');
    const created = await h.call('POST', '/v1/tenants/acme/endpoints', { url: 'https://example.com/hooks' });
    eid = created.body.id;
  });
  afterEach(async () => h?.close());

  const jobCount = async () => (await opsOf(h.store).listJobs('acme', { limit: 100 })).data.length;

  it.skipIf(kind.skip).each([
    ['recover', 'until', { since: 0, until: 1e20 }],
    ['recover', 'since', { since: '0001-01-01T00:00:00Z' }],
    ['replay', 'since', { since: 1e20 }],
    ['replay', 'until', { since: 0, until: '100000000000000000000' }],
  ])('refuses %s with body.%s out of range and stores no job', async (action, field, body) => {
    const res = await h.call('POST', `/v1/tenants/acme/endpoints/${eid}/${action}`, body);
    const error = expectError(res, 422, 'validation_failed');
    expect((error.details as { path: string }[])[0]?.path).toBe(`body.${field}`);
    expect(error.message).toMatch(/between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59\.999Z|from 0 to/);
    expect(await jobCount()).toBe(0);
    expect((await h.call('GET', '/v1/tenants/acme/jobs')).status).toBe(200);
  });

  it.skipIf(kind.skip)(
    'refuses a bulk retry with an out-of-range or inverted window, storing no job',
    async () => {
      for (const body of [{ until: 1e20 }, { since: '99999999999999999' }, { since: 2000, until: 1000 }]) {
        const error = expectError(
          await h.call('POST', '/v1/tenants/acme/attempts/retry', body),
          422,
          'validation_failed',
        );
        expect(error.message).toMatch(/^body\.(since|until) /);
      }
      expect(await jobCount()).toBe(0);
      const jobs = await h.call('GET', '/v1/tenants/acme/jobs');
      expect(jobs.status).toBe(200);
      expect(jobs.body.data).toEqual([]);
    },
  );

  it.skipIf(kind.skip)(
    'answers 404 for a bulk retry naming an unknown endpoint or event, like recover',
    async () => {
      const retry = await h.call('POST', '/v1/tenants/acme/attempts/retry', { endpointId: 'ep_nope' });
      expect(expectError(retry, 404, 'not_found').message).toBe(
        "endpoint 'ep_nope' was not found in tenant 'acme'",
      );
      const byEvent = await h.call('POST', '/v1/tenants/acme/attempts/retry', { eventId: 'evt_nope' });
      expect(expectError(byEvent, 404, 'not_found').message).toBe(
        "event 'evt_nope' was not found in tenant 'acme'",
      );
      const recover = await h.call('POST', '/v1/tenants/acme/endpoints/ep_nope/recover', { since: 0 });
      expectError(recover, 404, 'not_found');
      expect(await jobCount()).toBe(0);
      // A known endpoint still makes a job.
      const known = await h.call('POST', '/v1/tenants/acme/attempts/retry', { endpointId: eid });
      expect(known.status).toBe(202);
      expect(await jobCount()).toBe(1);
    },
  );

  it.skipIf(kind.skip)('lists and shows a job stored with a time no date can show', async () => {
    // What a job created before times were range-checked looks like.
    const bad = newJob('acme', 'retry', { filter: { until: 1e20 } }, h.clock.now);
    await opsOf(h.store).createJob(bad);
    const list = await h.call('GET', '/v1/tenants/acme/jobs');
    expect(list.status).toBe(200);
    expect(list.body.data[0].params).toEqual({ filter: { until: 1e20 } });
    const one = await h.call('GET', `/v1/tenants/acme/jobs/${bad.id}`);
    expect(one.status).toBe(200);
    expect(one.body.params.filter.until).toBe(1e20);
  });
});
