import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startApi } from './harness.ts';

describe('tenants', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => h.close());

  it('creates with a given id or a generated tnt_ id, lists, reads, updates and deletes', async () => {
    const given = await h.call('POST', '/v1/tenants', {
      id: 'cms',
      name: 'Marketing site',
      metadata: { plan: 'pro' },
    });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ id: 'cms', name: 'Marketing site', metadata: { plan: 'pro' } });
    expect(given.body.createdAt).toBe('2026-01-15T12:00:00.000Z');
    const generated = await h.call('POST', '/v1/tenants', {});
    expect(generated.status).toBe(201);
    expect(generated.body.id).toMatch(/^tnt_/);

    const list = await h.call('GET', '/v1/tenants?limit=1');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.nextCursor).not.toBeNull();
    const next = await h.call(
      'GET',
      `/v1/tenants?limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`,
    );
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0].id).not.toBe(list.body.data[0].id);

    h.clock.now += 1000;
    const patched = await h.call('PATCH', '/v1/tenants/cms', { name: 'Site' });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('Site');
    expect(patched.body.updatedAt).toBe('2026-01-15T12:00:01.000Z');
    expect((await h.call('GET', '/v1/tenants/cms')).body.name).toBe('Site');

    expect((await h.call('DELETE', '/v1/tenants/cms')).status).toBe(204);
    expect((await h.call('GET', '/v1/tenants/cms')).status).toBe(404);
    expect((await h.call('DELETE', '/v1/tenants/cms')).status).toBe(404);
  });

  it('refuses a tenant id outside [A-Za-z0-9_-]{1,64}', async () => {
    const res = await h.call('POST', '/v1/tenants', { id: 'no spaces!' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('body.id');
    expect(await h.store.getTenant('no spaces!')).toBeNull();
  });

  it('issues a tenant token once, stored only as a hash', async () => {
    await h.call('POST', '/v1/tenants', { id: 'tok' });
    const res = await h.call('POST', '/v1/tenants/tok/tokens', { name: 'ci' });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^hk_tnt_/);
    expect(res.body.tenantId).toBe('tok');
    const { hashKey } = await import('../../src/api/auth.ts');
    const stored = await h.store.findApiKeyByHash(hashKey(res.body.token));
    expect(stored).toMatchObject({ tenantId: 'tok', name: 'ci' });
    expect(JSON.stringify(stored)).not.toContain(res.body.token);
  });
});

describe('event types', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(async () => h.close());

  const schema = {
    type: 'object',
    required: ['deviceId'],
    properties: { deviceId: { type: 'string' }, battery: { type: 'integer', minimum: 0 } },
  };

  it('creates a type, adds a version, lists by group, patches and deletes', async () => {
    const created = await h.call('POST', '/v1/event-types', {
      name: 'device.enrolled',
      group: 'Enrollment events',
      description: 'A device joined',
      schema,
      example: { deviceId: 'dev_42' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'device.enrolled',
      group: 'Enrollment events',
      latestVersion: 1,
    });
    expect(created.body.versions[0]).toMatchObject({ version: 1, schema, example: { deviceId: 'dev_42' } });

    const v2 = await h.call('POST', '/v1/event-types', { name: 'device.enrolled', version: 2 });
    expect(v2.status).toBe(201);
    expect(v2.body.latestVersion).toBe(2);
    expect(v2.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(v2.body.group).toBe('Enrollment events');

    const again = await h.call('POST', '/v1/event-types', { name: 'device.enrolled', version: 2 });
    expect(again.status).toBe(409);
    const noVersion = await h.call('POST', '/v1/event-types', { name: 'device.enrolled' });
    expect(noVersion.status).toBe(409);
    expect(noVersion.body.error.message).toContain('"version": 3');

    await h.call('POST', '/v1/event-types', { name: 'sensor.reading', group: 'sensors' });
    const sensors = await h.call('GET', '/v1/event-types?group=sensors');
    expect(sensors.body.data.map((t: { name: string }) => t.name)).toEqual(['sensor.reading']);
    expect((await h.call('GET', '/v1/event-types')).body.data).toHaveLength(2);

    const patched = await h.call('PATCH', '/v1/event-types/sensor.reading', {
      deprecated: true,
      description: 'old',
    });
    expect(patched.body).toMatchObject({ deprecated: true, description: 'old' });
    expect((await h.call('GET', '/v1/event-types/sensor.reading')).body.deprecated).toBe(true);

    expect((await h.call('DELETE', '/v1/event-types/sensor.reading')).status).toBe(204);
    expect((await h.call('GET', '/v1/event-types/sensor.reading')).status).toBe(404);
    expect((await h.call('PATCH', '/v1/event-types/sensor.reading', { deprecated: false })).status).toBe(404);
  });

  it('refuses an invalid name', async () => {
    const res = await h.call('POST', '/v1/event-types', { name: '9lives..bad' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('name');
    expect(await h.store.getEventType('9lives..bad')).toBeNull();
  });

  it('refuses a schema that is not a JSON Schema', async () => {
    const res = await h.call('POST', '/v1/event-types', { name: 'bad.schema', schema: { type: 'banana' } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/^schema is not a valid JSON Schema/);
    expect(await h.store.getEventType('bad.schema')).toBeNull();
  });

  it('refuses an example that does not satisfy the schema, naming the path', async () => {
    const res = await h.call('POST', '/v1/event-types', {
      name: 'bad.example',
      schema,
      example: { battery: -1 },
    });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['example.deviceId', 'example.battery']));
    expect(await h.store.getEventType('bad.example')).toBeNull();
  });
});
