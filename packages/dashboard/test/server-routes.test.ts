/**
 * The server side of the dashboard: portal sessions (admin only, expiring,
 * tenant-scoped), branding, and the SPA's serving and fallback.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi, hashKey } from '../../server/src/api/app.ts';
import { pickDashboardDir } from '../../server/src/api/routes/dashboard.ts';
import { newId } from '../../server/src/domain/ids.ts';
import { DEFAULT_PORTAL_FIELDS } from '../../server/src/domain/portal-fields.ts';
import type { Store } from '../../server/src/store/port.ts';
import { tempSqliteStore } from '../../server/test/helpers/store.ts';

const ADMIN = 'hk_admin_dashboard_test_0001';
const clock = { now: Date.parse('2026-01-15T12:00:00.000Z') };
let app: FastifyInstance;
let store: Store;
let cleanup: () => Promise<void> | void;
let distDir: string;

const call = async (method: string, url: string, body?: unknown, key: string | null = ADMIN) => {
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const json = res.headers['content-type']?.toString().includes('json') ? res.json() : undefined;
  return { status: res.statusCode, body: json, text: res.body, headers: res.headers };
};

beforeAll(async () => {
  ({ store, cleanup } = await tempSqliteStore());
  await store.createApiKey({
    id: newId('key'),
    hash: hashKey(ADMIN),
    tenantId: null,
    name: 'admin',
    createdAt: clock.now,
    expiresAt: null,
  });
  distDir = mkdtempSync(join(tmpdir(), 'herald-dist-'));
  app = await buildApi({
    store,
    clock: () => clock.now,
    portal: { publicUrl: 'https://hooks.example.com', name: 'Acme Hooks', accent: '#112233' },
    dashboardDir: distDir,
  });
  await call('POST', '/v1/tenants', { id: 'acme' });
  await call('POST', '/v1/tenants', { id: 'globex' });
});

afterAll(async () => {
  await app.close();
  await cleanup();
  rmSync(distDir, { recursive: true, force: true });
});

describe('portal sessions', () => {
  it('gives a link whose key sees one tenant only, until it expires', async () => {
    const created = await call('POST', '/v1/tenants/acme/portal-sessions', { ttlSeconds: 120 });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(new Date(clock.now + 120_000).toISOString());
    const match = /^https:\/\/hooks\.example\.com\/portal#token=(hk_portal_\S+)$/.exec(created.body.url);
    expect(match).not.toBeNull();
    const token = match![1]!;

    const who = await call('GET', '/v1/portal/session', undefined, token);
    expect(who.body).toEqual({
      kind: 'tenant',
      role: 'portal',
      tenantId: 'acme',
      expiresAt: created.body.expiresAt,
      endpointFields: [...DEFAULT_PORTAL_FIELDS],
    });
    expect((await call('GET', '/v1/tenants/acme/endpoints', undefined, token)).status).toBe(200);
    expect((await call('GET', '/v1/tenants/globex/endpoints', undefined, token)).status).toBe(404);
    expect((await call('GET', '/v1/tenants', undefined, token)).status).toBe(403);
    expect((await call('POST', '/v1/tenants/acme/portal-sessions', {}, token)).status).toBe(403);

    clock.now += 121_000;
    const expired = await call('GET', '/v1/tenants/acme/endpoints', undefined, token);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
  });

  it('defaults to one hour and refuses bad ttls and unknown tenants', async () => {
    const created = await call('POST', '/v1/tenants/acme/portal-sessions');
    expect(created.body.expiresAt).toBe(new Date(clock.now + 3_600_000).toISOString());
    expect((await call('POST', '/v1/tenants/acme/portal-sessions', { ttlSeconds: 5 })).status).toBe(422);
    expect((await call('POST', '/v1/tenants/nobody/portal-sessions', {})).status).toBe(404);
  });

  it('tells an admin key apart, and serves branding without a key', async () => {
    expect((await call('GET', '/v1/portal/session')).body).toEqual({
      kind: 'admin',
      role: 'admin',
      tenantId: null,
      expiresAt: null,
      endpointFields: null,
    });
    const branding = await call('GET', '/v1/portal/branding', undefined, null);
    expect(branding.body).toEqual({ name: 'Acme Hooks', logoUrl: null, accent: '#112233', returnUrl: null });
  });
});

describe('the dashboard build', () => {
  it('answers a page saying how to build it when the build is missing', async () => {
    const res = await call('GET', '/', undefined, null);
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build -w @herald/dashboard');
  });

  it('serves the build, falls back to index.html for app paths, and keeps API 404s', async () => {
    writeFileSync(join(distDir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(distDir, 'app.js'), 'console.log(1)');
    const index = await call('GET', '/', undefined, null);
    expect(index.status).toBe(200);
    expect(index.text).toContain('<title>app</title>');
    expect(index.headers['x-frame-options']).toBeUndefined();
    expect((await call('GET', '/tenants/acme/log?x=1', undefined, null)).text).toContain(
      '<title>app</title>',
    );
    expect((await call('GET', '/app.js', undefined, null)).text).toBe('console.log(1)');
    expect((await call('GET', '/%2e%2e/%2e%2e/etc/passwd', undefined, null)).text).toContain(
      '<title>app</title>',
    );
    const api = await call('GET', '/v1/nothing-here', undefined, null);
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('not_found');
  });
});

describe('choosing the dashboard build', () => {
  it("prefers the workspace's build, else the server package's copy", () => {
    const workspace = mkdtempSync(join(tmpdir(), 'herald-ws-'));
    const copy = mkdtempSync(join(tmpdir(), 'herald-copy-'));
    try {
      // Neither holds a build: the workspace's, where the missing-build page says to build.
      expect(pickDashboardDir([workspace, copy])).toBe(workspace);
      writeFileSync(join(copy, 'index.html'), '<!doctype html>');
      expect(pickDashboardDir([workspace, copy])).toBe(copy);
      // An empty or half-built folder is not a build.
      mkdirSync(join(workspace, 'assets'));
      expect(pickDashboardDir([workspace, copy])).toBe(copy);
      writeFileSync(join(workspace, 'index.html'), '<!doctype html>');
      expect(pickDashboardDir([workspace, copy])).toBe(workspace);
    } finally {
      rmSync(copy, { recursive: true, force: true });
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
