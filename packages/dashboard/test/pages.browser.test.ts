/**
 * Every page of the dashboard and of the customer portal, on a desktop and
 * on a 390 px phone: axe-core finds no violation, and no page is wider than
 * the screen. Also what only these pages show: each catalog version's schema
 * beside its example, and the job history.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../server/test/helpers/api-client.ts';
import { startTestHerald, TEST_ADMIN_KEY } from '../../server/test/helpers/in-process.ts';
import { type Receiver, startReceiver } from '../../server/test/helpers/receiver.ts';
import { expectNoAxeViolations } from './axe.ts';
import { findBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild } from './built-dashboard.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Receiver;
let browser: Browser;
let base: string;
let endpointId = '';

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** The admin's pages, each with something on it that says it has loaded. */
const ADMIN_PAGES = () => [
  { path: '/', ready: { role: 'heading', name: 'Overview' } },
  { path: '/tenants', ready: { role: 'heading', name: 'Tenants' } },
  { path: '/catalog', ready: { role: 'heading', name: 'Event catalog' } },
  { path: '/tenants/acme/subscriptions', ready: { role: 'heading', name: 'Subscriptions' } },
  { path: '/tenants/acme/subscriptions/new', ready: { role: 'button', name: 'Test Connection' } },
  { path: `/tenants/acme/subscriptions/${endpointId}`, ready: { role: 'button', name: 'Test Connection' } },
  { path: '/tenants/acme/log', ready: { role: 'heading', name: 'Delivery log' } },
  { path: '/tenants/acme/metrics', ready: { role: 'heading', name: 'Metrics' } },
  { path: '/tenants/acme/jobs', ready: { role: 'heading', name: 'Jobs' } },
];

/** The pages a customer reaches through a portal link. */
const PORTAL_PAGES = () => [
  { path: '/tenants/acme/subscriptions', ready: { role: 'heading', name: 'Subscriptions' } },
  { path: '/tenants/acme/subscriptions/new', ready: { role: 'button', name: 'Test Connection' } },
  { path: '/tenants/acme/log', ready: { role: 'heading', name: 'Delivery log' } },
];

type Ready = { role: 'heading' | 'button'; name: string };

async function visit(page: Page, path: string, ready: Ready) {
  await page.goto(`${base}${path}`);
  await page.getByRole(ready.role, { name: ready.name }).first().waitFor();
}

async function check(page: Page, what: string, width: number) {
  await expectNoAxeViolations(page, what);
  const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
  expect(scrollWidth, `${what} is ${scrollWidth} px wide on a ${width} px screen`).toBeLessThanOrEqual(width);
  if (width <= 600) {
    // Tables are cards on phones: nothing scrolls sideways inside the page either.
    // Each offender names its widest descendant, to say what to fix.
    const scrolling = await page.evaluate(`[...document.querySelectorAll('.table-wrap')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => {
        const widest = [...el.querySelectorAll('*')].sort((a, b) => b.scrollWidth - a.scrollWidth)
          .find((d) => d.getBoundingClientRect().right > el.getBoundingClientRect().right + 1);
        return (widest ? widest.tagName + '.' + widest.className + ' ' + (widest.textContent || '').slice(0, 40) : '?')
          + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')';
      })`);
    expect(scrolling, `${what} has a table that scrolls sideways`).toEqual([]);
  }
}

beforeAll(async () => {
  await ensureBuilt();
  receiver = await startReceiver((req) => (req.url.includes('/down') ? { status: 503 } : { status: 200 }));
  herald = await startTestHerald({ HERALD_PORTAL_NAME: 'Acme Webhooks' });
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  const { api } = herald;
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  const schema = { type: 'object', required: ['sensorId'], properties: { sensorId: { type: 'string' } } };
  await api.post('/v1/event-types', {
    name: 'sensor.reading',
    group: 'Sensors',
    schema,
    example: { sensorId: 's-1' },
  });
  await api.post('/v1/event-types', {
    name: 'sensor.reading',
    version: 2,
    schema: { ...schema, required: ['sensorId', 'unit'] },
    example: { sensorId: 's-1', unit: 'C' },
  });
  const ep = await api.post('/v1/tenants/acme/endpoints', {
    url: `${receiver.url}/down`,
    name: 'plant feed',
    retry: { maxAttempts: 1 },
  });
  endpointId = ep.body.id;
  for (let i = 0; i < 3; i++) {
    await api.post('/v1/tenants/acme/events', {
      type: 'sensor.reading',
      data: { sensorId: `s-${i}`, unit: 'C' },
    });
  }
  await waitUntil('three failed deliveries', () => receiver.requests.length >= 3, 10_000);
  const job = await api.post('/v1/tenants/acme/attempts/retry', { endpointId });
  expect(job.status).toBe(202);
  browser = await launchBrowser(await findBrowser());
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
  await receiver?.close();
});

describe.each(VIEWPORTS)('every page on a $name ($width px)', ({ width, height, name }) => {
  it('the operator dashboard: no axe violation, nothing wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width, height } });
    await context.addInitScript(`sessionStorage.setItem('herald.apiKey', ${JSON.stringify(TEST_ADMIN_KEY)})`);
    const page = await context.newPage();
    try {
      for (const { path, ready } of ADMIN_PAGES()) {
        await visit(page, path, ready as Ready);
        await check(page, `${path} (${name})`, width);
      }
    } finally {
      await context.close();
    }
  });

  it('the customer portal: no axe violation, nothing wider than the screen', async () => {
    const session = await herald.api.post('/v1/tenants/acme/portal-sessions', {});
    expect(session.status).toBe(201);
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    try {
      await page.goto(session.body.url);
      await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
      for (const { path, ready } of PORTAL_PAGES()) {
        await visit(page, path, ready as Ready);
        await check(page, `portal ${path} (${name})`, width);
      }
    } finally {
      await context.close();
    }
  });
});

describe('what these pages show', () => {
  it("the catalog shows each version's schema beside its example; the job history lists the bulk retry", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(`sessionStorage.setItem('herald.apiKey', ${JSON.stringify(TEST_ADMIN_KEY)})`);
    const page = await context.newPage();
    try {
      await visit(page, '/catalog', { role: 'heading', name: 'Event catalog' });
      await page.getByText('sensor.reading', { exact: true }).click();
      const v2 = await page.locator('pre[data-label="sensor.reading v2 schema"]').textContent();
      expect(JSON.parse(v2 ?? '').required).toEqual(['sensorId', 'unit']);
      const v1 = await page.locator('pre[data-label="sensor.reading v1 example"]').textContent();
      expect(JSON.parse(v1 ?? '')).toEqual({ sensorId: 's-1' });

      await visit(page, '/tenants/acme/jobs', { role: 'heading', name: 'Jobs' });
      const history = page.getByRole('region', { name: 'Job history' });
      await history.getByText('Bulk retry').waitFor();
      await history
        .getByText(/succeeded|running|queued/)
        .first()
        .waitFor();
      await expect.poll(async () => history.textContent(), { timeout: 10_000 }).toContain('succeeded');
    } finally {
      await context.close();
    }
  });
});
