/**
 * The dashboard end to end: Chromium (Debian's, else the one bundled in
 * @sparticuz/chromium; see browser.ts) driven by playwright-core against a
 * real Herald and a real webhook receiver. Set HERALD_SCREENSHOTS=1 to
 * refresh docs/screenshots/ from this run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, TEST_ADMIN_KEY } from '../../server/test/helpers/in-process.ts';
import { type Receiver, startReceiver } from '../../server/test/helpers/receiver.ts';
import { findBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild } from './built-dashboard.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shotsDir = process.env.HERALD_SCREENSHOTS
  ? join(here, '../../../docs/screenshots')
  : mkdtempSync(join(tmpdir(), 'herald-shots-'));

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Receiver;
let failing = false;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let endpointId = '';
/** The build's files the browser fetched, with the encoding each came in. */
const assets: { path: string; encoding: string | undefined }[] = [];
const CHART_CHUNK = /^\/assets\/charts-[\w-]+\.js$/;

const shot = (p: Page, name: string) => p.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });

beforeAll(async () => {
  await ensureBuilt();
  mkdirSync(shotsDir, { recursive: true });
  receiver = await startReceiver(() =>
    failing ? { status: 500, body: '{"error":"receiver is down"}' } : { status: 200, body: '{"ok":true}' },
  );
  herald = await startTestHerald({ HERALD_PORTAL_NAME: 'Acme Webhooks', HERALD_PORTAL_ACCENT: '#0e7490' });
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  const { api } = herald;
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  expect((await api.post('/v1/tenants', { id: 'globex', name: 'Globex' })).status).toBe(201);
  await api.post('/v1/event-types', {
    name: 'device.enrolled',
    group: 'Enrollment events',
    description: 'A device joined the fleet',
    schema: { type: 'object', required: ['deviceId'], properties: { deviceId: { type: 'string' } } },
    example: { deviceId: 'dev_example' },
  });
  await api.post('/v1/event-types', {
    name: 'device.retired',
    group: 'Enrollment events',
    example: { deviceId: 'x' },
  });
  // Another tenant's subscription, which the acme portal must never show.
  await api.post('/v1/tenants/globex/endpoints', {
    url: `${receiver.url}/globex`,
    name: 'globex-secret-hook',
  });

  browser = await launchBrowser(await findBrowser());
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  context.on('response', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/assets/'))
      assets.push({ path: pathname, encoding: r.headers()['content-encoding'] });
  });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
  await receiver?.close();
  if (!process.env.HERALD_SCREENSHOTS) rmSync(shotsDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('signs in with the admin key and shows the overview', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('cell', { name: 'Acme Corp' }).waitFor();
    await page.getByText('Oldest pending delivery waiting').waitFor();
    expect(await page.getByText('not available in this version').count()).toBe(0);
    await shot(page, 'overview');
  });

  it('creates a subscription through the form after a Test Connection', async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/new`);
    await page.getByLabel('Name', { exact: true }).fill('acme-devices');
    await page.getByLabel('URL').fill(`${receiver.url}/hook`);
    await page.getByLabel('Only the events selected below').check();
    await page.getByLabel('device.enrolled', { exact: true }).check();
    await page.getByRole('button', { name: 'Sample payload' }).first().click();
    await expect(
      page.locator('pre[data-label="Sample payload of device.enrolled"]').textContent(),
    ).resolves.toContain('dev_example');
    // One attempt only, so a failure stays failed until retried by hand.
    await page.getByRole('button', { name: 'Delivery', exact: true }).click();
    await page.getByLabel('Attempts in all (retries + 1)').fill('1');
    await page.getByRole('button', { name: 'Test Connection' }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.getByText('HTTP 200').waitFor();
    expect(receiver.requests.some((r) => r.url === '/hook')).toBe(true);
    await shot(page, 'subscription-form');
    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    endpointId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const saved = await herald.api.get(`/v1/tenants/acme/endpoints/${endpointId}`);
    expect(saved.body).toMatchObject({
      name: 'acme-devices',
      eventTypes: ['device.enrolled'],
      retry: { maxAttempts: 1 },
    });
  });

  it('shows events sent through the API in the log, and opens and copies a payload', async () => {
    for (const id of ['dev_1', 'dev_2', 'dev_3']) {
      await herald.api.post('/v1/tenants/acme/events', { type: 'device.enrolled', data: { deviceId: id } });
    }
    await receiver.waitFor(4, 10_000);
    await page.getByRole('link', { name: 'Delivery log' }).click();
    const rows = page.locator('table[aria-label="Attempts"] tbody tr');
    await expect
      .poll(() => rows.filter({ hasText: 'device.enrolled' }).count(), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3);
    await shot(page, 'delivery-log');
    await rows
      .filter({ hasText: 'device.enrolled' })
      .filter({ hasNotText: 'test' })
      .first()
      .getByRole('button', { name: 'View' })
      .click();
    await page.getByRole('region', { name: 'Attempt details' }).waitFor();
    await page.getByRole('button', { name: 'Copy payload' }).click();
    const copied = await page.evaluate('navigator.clipboard.readText()');
    expect(String(copied)).toMatch(/"deviceId": "dev_\d"/);
    await shot(page, 'attempt');
  });

  it('shows a failed attempt without a reload, and retries it from the UI', async () => {
    failing = true;
    await herald.api.post('/v1/tenants/acme/events', {
      type: 'device.enrolled',
      data: { deviceId: 'dev_fail' },
    });
    const failedRow = page.locator('table[aria-label="Attempts"] tbody tr', { hasText: 'failed' }).first();
    await failedRow.waitFor({ timeout: 15_000 });
    await expect(failedRow.textContent()).resolves.toContain('500');
    failing = false;
    await failedRow.getByRole('button', { name: 'View' }).click();
    await page.getByRole('button', { name: 'Retry this delivery' }).click();
    await page.getByText('Retry queued').waitFor();
    const manual = page.locator('table[aria-label="Attempts"] tbody tr', { hasText: 'manual' }).first();
    await manual.waitFor({ timeout: 15_000 });
    await expect(manual.textContent()).resolves.toContain('succeeded');
  });

  it('retries the failed deliveries matching the filters as a job, and shows its progress', async () => {
    failing = true;
    const sent = await herald.api.post('/v1/tenants/acme/events', {
      type: 'device.enrolled',
      data: { deviceId: 'dev_bulk' },
    });
    const eventId = sent.body.id as string;
    const attemptsOf = async () =>
      (await herald.api.get(`/v1/tenants/acme/attempts?eventId=${eventId}`)).body.data as {
        id: string;
        succeeded: boolean;
      }[];
    await expect.poll(async () => (await attemptsOf()).length, { timeout: 15_000 }).toBe(1);
    failing = false;

    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('region', { name: 'Summary' }).getByText('Failed').waitFor();
    await page.getByRole('button', { name: 'Retry failed deliveries matching these filters' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Retry failed deliveries matching these filters' });
    await dialog.getByText('Retry the failed deliveries behind').waitFor();
    await shot(page, 'bulk-retry-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const progress = page.getByRole('status', { name: 'Job progress' });
    await progress.getByText('succeeded').waitFor({ timeout: 20_000 });
    // Only dev_bulk's delivery is still failed: dev_fail's was retried by hand and succeeded.
    await expect(progress.textContent()).resolves.toContain('1 failed deliveries queued again');
    await shot(page, 'bulk-retry');

    await expect
      .poll(async () => (await attemptsOf()).some((a) => a.succeeded), { timeout: 15_000 })
      .toBe(true);
    const retried = (await attemptsOf()).find((a) => a.succeeded)!;
    await page.getByRole('button', { name: 'Clear' }).click();
    const row = page.locator(`table[aria-label="Attempts"] tbody tr[data-attempt="${retried.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect(row.textContent()).resolves.toContain('succeeded');
  });

  it('draws the metrics charts from the server-side stats', async () => {
    // Overview, subscriptions and the log drew no chart: none fetched Chart.js.
    expect(assets.filter((a) => CHART_CHUNK.test(a.path))).toEqual([]);
    expect(assets.some((a) => a.path.endsWith('.js') && a.encoding === 'br')).toBe(true);
    const chartChunk = page.waitForResponse((r) => CHART_CHUNK.test(new URL(r.url()).pathname));
    // The range fits the data: this run's attempts are minutes old, so the last hour by the minute.
    const statsAnswer = page.waitForResponse(
      (r) =>
        r.url().includes('/v1/tenants/acme/stats?') && r.url().includes('bucket=1m') && r.status() === 200,
    );
    await page.getByRole('link', { name: 'Metrics' }).click();
    const stats = await (await statsAnswer).json();
    expect(stats.bucket).toBe('1m');
    await page.getByRole('option', { name: 'fits the data (last hour)' }).waitFor({ state: 'attached' });
    expect(stats.totals.attempts).toBeGreaterThanOrEqual(6);
    expect((await chartChunk).headers()['content-encoding']).toBe('br');
    await page.locator('#chart-outcomes').waitFor();
    const painted = async (id: string) =>
      Number(
        await page.evaluate(`(() => {
          const c = document.getElementById('${id}');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n;
        })()`),
      );
    for (const id of ['chart-outcomes', 'chart-status', 'chart-latency']) {
      await expect.poll(() => painted(id)).toBeGreaterThan(500);
    }
    const totals = page.getByRole('region', { name: 'Totals' });
    await totals.getByText(String(stats.totals.attempts), { exact: true }).waitFor();

    // One endpoint: the page asks that endpoint's stats.
    const endpointAnswer = page.waitForResponse(
      (r) => r.url().includes(`/endpoints/${endpointId}/stats?`) && r.status() === 200,
    );
    await page.getByLabel('Endpoint').selectOption(endpointId);
    expect((await (await endpointAnswer).json()).totals.attempts).toBeGreaterThanOrEqual(6);
    await shot(page, 'metrics');
  });

  it("replays a subscription's events from its page as a job", async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/${endpointId}`);
    await page.getByRole('button', { name: 'Replay events since…' }).click();
    await page
      .getByRole('alertdialog', { name: 'Replay events since…' })
      .getByRole('button', { name: 'Confirm' })
      .click();
    const progress = page.getByRole('status', { name: 'Job progress' });
    await progress.getByText('succeeded').waitFor({ timeout: 20_000 });
    // dev_1..3, dev_fail and dev_bulk: five events since a day ago.
    await expect(progress.textContent()).resolves.toContain('5 new deliveries created');
  });

  it("shows a mock event's result at its button, and in the log only under the trigger filter", async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/${endpointId}`);
    await page.getByRole('button', { name: 'Send mock device.enrolled' }).click();
    const events = page.getByRole('group', { name: 'Events' });
    const result = events.getByRole('status', { name: 'Test result' });
    await result.getByText('HTTP 200').waitFor();
    await result.getByText('Mock device.enrolled').waitFor();
    expect(await page.getByRole('status', { name: 'Test result' }).count()).toBe(1);
    const requestId = (await result.locator('code').first().textContent()) ?? '';
    expect(requestId).toMatch(/^req_/);
    expect(receiver.requests.some((r) => r.headers['x-request-id'] === requestId)).toBe(true);

    await page.getByRole('link', { name: 'Delivery log' }).click();
    const rows = page.locator('table[aria-label="Attempts"] tbody tr');
    await expect.poll(() => rows.filter({ hasText: 'device.enrolled' }).count()).toBeGreaterThan(0);
    const mockRow = rows.filter({ hasText: requestId });
    expect(await mockRow.count()).toBe(0);
    // Neither the mock event nor the earlier Test Connection is in the default log.
    expect(await rows.filter({ hasText: 'herald.test' }).count()).toBe(0);

    await page.getByLabel('Trigger').selectOption('test');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await mockRow.waitFor();
    await expect(mockRow.textContent()).resolves.toContain('test');
    await rows.filter({ hasText: 'herald.test' }).first().waitFor();
    expect(await rows.filter({ hasNotText: 'test' }).count()).toBe(0);
    await page.getByRole('note').getByText('no summary or chart ever counts them').waitFor();
    expect(await page.getByRole('region', { name: 'Summary' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => mockRow.count()).toBe(0);
    await page.getByRole('region', { name: 'Summary' }).waitFor();
  });

  it('filters the log by error kind', async () => {
    const rows = page.locator('table[aria-label="Attempts"] tbody tr');
    await page.getByLabel('Error kind').selectOption('http');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const texts = async () => rows.allTextContents();
    // The failed deliveries of the earlier tests, each answered 500; the 200s are gone.
    await expect
      .poll(async () => (await texts()).length > 0 && (await texts()).every((t) => t.includes('500')))
      .toBe(true);
    await page.getByLabel('Error kind').selectOption('timeout');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No attempts match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('opens a portal link scoped to one tenant, branded, and embeddable', async () => {
    const session = await herald.api.post('/v1/tenants/acme/portal-sessions', {});
    expect(session.status).toBe(201);
    expect(session.body.url).toMatch(/\/portal#token=hk_portal_/);
    const portal = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const p = await portal.newPage();
    await p.goto(session.body.url);
    await p.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    expect(new URL(p.url()).pathname).toBe('/tenants/acme/subscriptions');
    expect(new URL(p.url()).hash).toBe('');
    await p.getByText('Acme Webhooks').waitFor();
    await p.getByRole('link', { name: 'acme-devices' }).waitFor();
    expect(await p.getByText('globex-secret-hook').count()).toBe(0);
    expect(await p.getByRole('link', { name: 'Tenants' }).count()).toBe(0);
    // Readable on a phone: nothing wider than the screen.
    expect(Number(await p.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(375);
    await shot(p, 'portal-mobile');

    await p.goto(`${base}/tenants/globex/subscriptions`);
    await p.getByRole('alert').getByText("tenant 'globex' was not found").waitFor();
    expect(await p.getByText('globex-secret-hook').count()).toBe(0);
    await p.goto(`${base}/tenants/globex/log`);
    await p.getByRole('alert').getByText("tenant 'globex' was not found").waitFor();

    const index = await fetch(`${base}/portal`);
    expect(index.status).toBe(200);
    expect(index.headers.get('x-frame-options')).toBeNull();
    await portal.close();
  });

  it('shows a clear page for an expired or unknown portal link', async () => {
    const p = await context.newPage();
    await p.goto(`${base}/portal#token=hk_portal_not_a_real_key`);
    await p.getByRole('heading', { name: 'This link has ended' }).waitFor();
    await p.close();
  });

  it('shows in the subscription form when Test Connection cannot reach the endpoint', async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/new`);
    await page.getByLabel('URL').fill('http://127.0.0.1:9/nothing-listens');
    await page.getByRole('button', { name: 'Test Connection' }).click();
    await page.getByText('The endpoint could not be reached').waitFor();
  });
});
