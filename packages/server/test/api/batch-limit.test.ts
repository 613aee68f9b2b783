/**
 * The batch route's body limit (docs/configuration.md, HERALD_BATCH_EVENT_BYTES):
 * a full batch of 1,000 events of 1 KiB each is accepted by default, while
 * every other route keeps HERALD_BODY_LIMIT; a batch past its own limit is a
 * 413 that names that limit, and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Harness, startApi } from './harness.ts';
import { expectError } from './store-kinds.ts';

const KIB = 'x'.repeat(1024);

describe('batch body limit', () => {
  let h: Harness;
  beforeAll(async () => {
    const config = loadConfig({ HERALD_DATABASE_URL: 'sqlite::memory:' });
    h = await startApi({
      bodyLimitBytes: config.bodyLimitBytes,
      batchBodyLimitBytes: config.batchBodyLimitBytes,
    });
    await h.tenant('acme');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('derives 2 MiB from 1,000 × 2 KiB by default, never below HERALD_BODY_LIMIT', () => {
    expect(loadConfig({ HERALD_DATABASE_URL: 'sqlite::memory:' }).batchBodyLimitBytes).toBe(2_048_000);
    const small = loadConfig({ HERALD_DATABASE_URL: 'sqlite::memory:', HERALD_BATCH_EVENT_BYTES: '256' });
    expect(small.batchBodyLimitBytes).toBe(262_144);
  });

  it('accepts 1,000 events of 1 KiB each in one batch', async () => {
    const events = Array.from({ length: 1000 }, (_, n) => ({
      type: 'reading.taken',
      data: { n, blob: KIB },
    }));
    const res = await h.call('POST', '/v1/tenants/acme/events/batch', { events });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(202);
    expect(res.body.data).toHaveLength(1000);
  });

  it('keeps HERALD_BODY_LIMIT for a single event', async () => {
    const res = await h.call('POST', '/v1/tenants/acme/events', {
      type: 'reading.taken',
      data: { blob: 'x'.repeat(300_000) },
    });
    expect(expectError(res, 413, 'payload_too_large').message).toMatch(/limit of 262144 bytes/);
  });

  it('answers 413 naming the batch limit for a larger batch, storing nothing', async () => {
    const before = (await h.call('GET', '/v1/tenants/acme/events?limit=1')).body.data[0]?.id;
    const events = Array.from({ length: 1000 }, (_, n) => ({
      type: 'reading.taken',
      data: { n, blob: KIB.repeat(3) },
    }));
    const res = await h.call('POST', '/v1/tenants/acme/events/batch', { events });
    expect(expectError(res, 413, 'payload_too_large').message).toMatch(/limit of 2048000 bytes/);
    expect((await h.call('GET', '/v1/tenants/acme/events?limit=1')).body.data[0]?.id).toBe(before);
  });
});
