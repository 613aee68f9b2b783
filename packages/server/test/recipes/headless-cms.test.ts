/**
 * Recipe: headless CMS (docs/recipes/headless-cms.md). Herald is configured
 * only by the recipe's config file; the CMS customer's two receivers (raw
 * body, and a Next.js handler that re-serializes), written from the CMS's
 * docs with no Herald code, both verify what arrives and see the CMS's own
 * payload as the body.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST } from '../../../../docs/recipes/receivers/headless-cms/next-route.ts';
import {
  type ContentEvent,
  createCmsReceiver,
} from '../../../../docs/recipes/receivers/headless-cms/raw-body.ts';
import { apiClient, waitUntil } from '../helpers/api-client.ts';
import { spawnHerald } from '../helpers/herald-process.ts';

const CONFIG = fileURLToPath(
  new URL('../../../../docs/recipes/receivers/headless-cms/herald.config.ts', import.meta.url),
);
const SECRET = 'cms-shared-secret-42';
const KEY = 'hk_test_admin_key_cms_recipe_01';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Serves the Next.js route handler over real HTTP, as Next's runtime would: a Web Request in, a Response out. */
function nextServer(seen: unknown[]): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const response = await POST(
      new Request(`http://localhost${req.url}`, { method: 'POST', headers, body: Buffer.concat(chunks) }),
    );
    const text = await response.text();
    if (response.ok) seen.push(JSON.parse(text));
    res.writeHead(response.status, { 'content-type': 'application/json' }).end(text);
  });
}

describe('recipe: headless CMS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cms-'));
  const rawEvents: ContentEvent[] = [];
  const nextSeen: unknown[] = [];
  const raw = createCmsReceiver(SECRET, (e) => rawEvents.push(e));
  const next = nextServer(nextSeen);
  let env: Record<string, string>;

  beforeAll(async () => {
    process.env.SCALAR_WEBHOOK_SECRET = SECRET;
    env = {
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'herald.db')}`,
      HERALD_API_KEY: KEY,
      HERALD_ALLOW_PRIVATE_NETWORKS: '127.0.0.0/8',
      HERALD_CONFIG: CONFIG,
      SCALAR_WEBHOOK_SECRET: SECRET,
      CMS_RAW_RECEIVER_URL: `${await listen(raw)}/webhooks`,
      CMS_NEXT_RECEIVER_URL: `${await listen(next)}/api/webhooks`,
    };
  });
  afterAll(async () => {
    raw.close();
    next.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers signed content events filtered by model to both receivers, and a restart duplicates nothing', async () => {
    let herald = await spawnHerald(env);
    try {
      const api = apiClient(herald.url, KEY);
      const payload = {
        id: 'entry_7',
        event: 'update',
        model: 'blogPost',
        timestamp: '2026-02-01T10:00:00.000Z',
        data: { title: 'Hello, “world”', body: 'ünïcödé & <b>' },
        previous: { title: 'Hello' },
        user: { id: 'usr_1', email: 'ed@example.com' },
      };
      expect(
        (await api.post('/v1/tenants/cms-site/events', { type: 'content.update', data: payload })).status,
      ).toBe(202);
      // A model neither endpoint's filter lets through.
      const author = { ...payload, id: 'entry_8', model: 'author' };
      expect(
        (await api.post('/v1/tenants/cms-site/events', { type: 'content.update', data: author })).status,
      ).toBe(202);

      await waitUntil(
        'both receivers to verify the update',
        () => rawEvents.length >= 1 && nextSeen.length >= 1,
      );
      expect(rawEvents).toEqual([payload]);
      expect(nextSeen).toEqual([{ ok: true, received: 'blogPost:update:entry_7' }]);

      const endpoints = (await api.get('/v1/tenants/cms-site/endpoints')).body.data;
      const rawEp = endpoints.find((e: { name: string }) => e.name === 'site-raw');
      expect(rawEp).toMatchObject({
        envelope: 'none',
        timeoutMs: 5000,
        retry: { maxAttempts: 4 },
        method: 'POST',
      });
      const summary = (await api.get('/v1/tenants/cms-site/attempts/summary')).body;
      expect(summary).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
      // Both requests: the CMS's payload as the exact bytes, signed over them as the CMS documents.
      for (const { id } of (await api.get('/v1/tenants/cms-site/attempts')).body.data) {
        const sent = (await api.get(`/v1/tenants/cms-site/attempts/${id}`)).body;
        expect(sent.requestBody).toBe(JSON.stringify(payload));
        expect(sent.requestHeaders['content-type']).toBe('application/json');
        expect(sent.requestHeaders['x-scalar-signature']).toBe(
          `sha256=${createHmac('sha256', SECRET).update(sent.requestBody).digest('hex')}`,
        );
      }
    } finally {
      herald.child.kill('SIGTERM');
      await herald.exited;
    }

    // The same file again: nothing new, the secret kept.
    herald = await spawnHerald(env);
    try {
      const api = apiClient(herald.url, KEY);
      const endpoints = (await api.get('/v1/tenants/cms-site/endpoints')).body.data;
      expect(endpoints.map((e: { name: string }) => e.name).sort()).toEqual(['site-next', 'site-raw']);
      const secret = (await api.get(`/v1/tenants/cms-site/endpoints/${endpoints[0].id}/secret`)).body.secret;
      expect(secret).toBe(SECRET);
      const types = (await api.get('/v1/event-types?limit=100')).body.data;
      expect(types.filter((t: { name: string }) => t.name === 'content.update')).toHaveLength(1);
    } finally {
      herald.child.kill('SIGTERM');
      await herald.exited;
    }
  });

  it('refuses to start on an invalid key, naming it', async () => {
    const bad = join(dir, 'herald.config.json');
    writeFileSync(
      bad,
      JSON.stringify({
        tenants: [
          {
            id: 'cms-site',
            endpoints: [{ url: 'https://a.example.com' }, { url: 'https://b.example.com', timeoutMs: 10 }],
          },
        ],
      }),
    );
    const started = spawnHerald({
      ...env,
      HERALD_CONFIG: bad,
      HERALD_DATABASE_URL: `sqlite:${join(dir, 'other.db')}`,
    });
    const err = await started.then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain('herald.config.json: tenants[0].endpoints[1].timeoutMs: must be >= 1000');
  });
});
