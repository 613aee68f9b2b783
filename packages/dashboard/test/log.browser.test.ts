/**
 * The delivery log in Chromium (issue 14): filters kept in the address (a
 * reload shows the same filters and rows), typed-in text answered with a
 * readable message, summary cards that follow the filters, an attempt
 * drawer beside the row it was opened from with focus in it, every column in
 * sight at 1,440 and 1,280 px, and cards on a 390 px phone with nothing
 * wider than the screen, for the operator and in the customer portal; axe
 * finds nothing on the page, desktop or phone. One browser and one Herald
 * (with a real receiver) for the whole file.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHerald, TEST_ADMIN_KEY } from '../../server/test/helpers/in-process.ts';
import { type Receiver, startReceiver } from '../../server/test/helpers/receiver.ts';
import { expectNoAxeViolations } from './axe.ts';
import { findBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild } from './built-dashboard.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let receiver: Receiver;
let browser: Browser;
let desktop: BrowserContext;
let page: Page;
let base: string;
const LOG = '/tenants/acme/log';

/** What Herald sends: 50 order.created, 10 order.paid (both answered 200), 10 user.deleted (500). */
const SENT = { 'order.created': 50, 'order.paid': 10, 'user.deleted': 10 } as const;
const ATTEMPTS = 70;
/** To a paused endpoint: parked, so they stay pending deliveries. */
const PARKED = 3;

interface LoggedAttempt {
  id: string;
  requestId: string;
  eventType: string;
}

const rowIds = (p: Page): Promise<string[]> =>
  p
    .locator('[aria-label="Attempts"] [data-attempt]')
    // The root tsconfig has no DOM types: the elements are typed by what is read from them.
    .evaluateAll((els) =>
      els.map((e) => (e as unknown as { getAttribute(name: string): string }).getAttribute('data-attempt')),
    );

const card = (p: Page, label: string) =>
  p.getByRole('region', { name: 'Summary' }).locator('.card', { hasText: label }).locator('.card-value');

const pageWidth = async (p: Page) => ({
  scroll: Number(await p.evaluate('document.documentElement.scrollWidth')),
  inner: Number(await p.evaluate('window.innerWidth')),
});

/** Whether focus is inside the attempt drawer. */
const focusInDrawer = async (p: Page) =>
  Boolean(await p.evaluate('document.getElementById("attempt-drawer")?.contains(document.activeElement)'));

async function signIn(p: Page): Promise<void> {
  await p.goto(`${base}/`);
  await p.getByLabel('API key').fill(TEST_ADMIN_KEY);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function openLog(p: Page, query = ''): Promise<void> {
  await p.goto(`${base}${LOG}${query}`);
  await p.getByRole('heading', { name: 'Delivery log' }).waitFor();
  await p.locator('[aria-label="Attempts"] [data-attempt]').first().waitFor();
}

beforeAll(async () => {
  await ensureBuilt();
  receiver = await startReceiver((req) =>
    req.url.startsWith('/fail')
      ? { status: 500, body: '{"error":"down"}' }
      : { status: 200, body: '{"ok":true}' },
  );
  herald = await startTestHerald();
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  const { api } = herald;
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  await api.post('/v1/event-types', { name: 'order.created', group: 'Orders', example: { id: 1 } });
  await api.post('/v1/event-types', { name: 'order.paid', group: 'Orders', example: { id: 1 } });
  await api.post('/v1/event-types', { name: 'user.deleted', group: 'Users', example: { id: 1 } });
  const endpoint = async (body: object) => {
    const res = await api.post('/v1/tenants/acme/endpoints', { retry: { maxAttempts: 1 }, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  };
  await endpoint({ name: 'orders', url: `${receiver.url}/orders`, eventTypes: ['order.*'] });
  await endpoint({ name: 'users', url: `${receiver.url}/fail`, eventTypes: ['user.*'] });
  await endpoint({
    name: 'invoices',
    url: `${receiver.url}/invoices`,
    eventTypes: ['invoice.*'],
    status: 'paused',
  });
  const events = Object.entries(SENT).flatMap(([type, n]) =>
    Array.from({ length: n }, (_, i) => ({ type, data: { i } })),
  );
  events.push(...Array.from({ length: PARKED }, (_, i) => ({ type: 'invoice.created', data: { i } })));
  expect((await api.post('/v1/tenants/acme/events/batch', { events })).status).toBe(202);
  await vi.waitFor(
    async () =>
      expect((await api.get('/v1/tenants/acme/attempts?limit=250')).body.data.length).toBe(ATTEMPTS),
    { timeout: 30_000, interval: 200 },
  );

  browser = await launchBrowser(await findBrowser());
  desktop = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await desktop.newPage();
  await signIn(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await herald?.close();
  await receiver?.close();
});

describe('the delivery log', () => {
  it('keeps the filters in the address: a reload shows the same filters and rows', async () => {
    await openLog(page);
    await page.getByLabel('Event type').fill('order.*');
    await page.getByLabel('Status', { exact: true }).selectOption('succeeded');
    await page.getByLabel('Time', { exact: true }).selectOption('1h');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('eventType')).toBe('order.*');
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      eventType: 'order.*',
      status: 'succeeded',
      range: '1h',
    });
    await expect.poll(() => card(page, 'Total').textContent()).toBe('60');
    const before = await rowIds(page);
    expect(before.length).toBe(60);

    await page.reload();
    await page.locator('[aria-label="Attempts"] [data-attempt]').first().waitFor();
    await expect(page.getByLabel('Event type').inputValue()).resolves.toBe('order.*');
    await expect(page.getByLabel('Status', { exact: true }).inputValue()).resolves.toBe('succeeded');
    await expect(page.getByLabel('Time', { exact: true }).inputValue()).resolves.toBe('1h');
    await expect.poll(() => rowIds(page)).toEqual(before);

    // Back to the unfiltered log, as the address was before.
    await page.goBack();
    await expect.poll(() => page.getByLabel('Event type').inputValue()).toBe('');
    await expect.poll(async () => (await rowIds(page)).length).toBe(ATTEMPTS);
  });

  it('finds attempts by the beginning of a request id and by *.suffix patterns', async () => {
    const all = (await herald.api.get('/v1/tenants/acme/attempts?limit=250')).body.data as LoggedAttempt[];
    const one = all.find((a) => a.eventType === 'user.deleted')!;
    const prefix = one.requestId.slice(0, -6);
    const expected = all.filter((a) => a.requestId.startsWith(prefix)).map((a) => a.id);
    await openLog(page, `?requestId=${prefix}`);
    await expect.poll(async () => (await rowIds(page)).sort()).toEqual(expected.sort());
    await openLog(page, '?eventType=*.deleted');
    await expect.poll(async () => (await rowIds(page)).length).toBe(SENT['user.deleted']);
  });

  it('answers typed-in text with a readable message, not a regular expression', async () => {
    await openLog(page);
    const before = page.url();
    await page.getByLabel('Event type').fill('timeout');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const message = page.locator('#f-eventType-error');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(
      /“timeout” is an error kind: choose it under Error kind.*order\.created or order\.\*/,
    );
    await expect(page.getByLabel('Event type').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await page.evaluate('document.activeElement?.id')).toBe('f-eventType');
    expect(page.url()).toBe(before);

    await page.getByLabel('Event type').fill('dev*');
    await page.getByLabel('Response code').fill('timeout');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(message.textContent()).resolves.toMatch(/stands for a whole segment/);
    await expect(page.locator('#f-statusCode-error').textContent()).resolves.toMatch(/such as 404.*5xx/);
    expect(await page.getByText(/must match pattern|\^\(/).count()).toBe(0);

    // The same text in the address (a shared link) is shown in the form, and nothing is fetched.
    await page.goto(`${base}${LOG}?eventType=${encodeURIComponent('ord[er')}`);
    await page.locator('#f-eventType-error').waitFor();
    await page.getByText('The filters in this address cannot be applied').waitFor();
  });

  it('shows summary cards that follow the filters, pending deliveries included', async () => {
    await openLog(page);
    await expect.poll(() => card(page, 'Total').textContent()).toBe(String(ATTEMPTS));
    await expect(card(page, 'Failed').textContent()).resolves.toBe(String(SENT['user.deleted']));
    await expect(card(page, 'Pending').textContent()).resolves.toBe(String(PARKED));

    await openLog(page, '?eventType=user.*');
    await expect.poll(() => card(page, 'Total').textContent()).toBe(String(SENT['user.deleted']));
    await expect(card(page, 'Succeeded').textContent()).resolves.toBe('0');
    await expect(card(page, 'Pending').textContent()).resolves.toBe('0');

    await page.goto(`${base}${LOG}?eventType=invoice.*`);
    await page.getByText('No attempts match these filters').waitFor();
    await expect.poll(() => card(page, 'Pending').textContent()).toBe(String(PARKED));
    await expect(card(page, 'Total').textContent()).resolves.toBe('0');
  });

  it('shows every column, the View action included, at 1,440 and 1,280 px', async () => {
    for (const width of [1440, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await openLog(page);
      const fit = await page.locator('.attempts-wrap').evaluate((el) => {
        const box = el as unknown as { scrollWidth: number; clientWidth: number };
        return { scroll: box.scrollWidth, client: box.clientWidth };
      });
      expect(fit.scroll, `table at ${width} px`).toBeLessThanOrEqual(fit.client);
      const view = page
        .locator('[aria-label="Attempts"] [data-attempt]')
        .first()
        .getByRole('button', { name: 'View' });
      const box = (await view.boundingBox())!;
      expect(box.x + box.width, `View at ${width} px`).toBeLessThanOrEqual(width);
      expect(await view.isVisible()).toBe(true);
      expect((await pageWidth(page)).scroll).toBeLessThanOrEqual(width);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('opens row 61 in a drawer beside it, in sight, with focus inside; Escape gives focus back', async () => {
    await openLog(page);
    const row = page.locator('[aria-label="Attempts"] [data-attempt]').nth(60);
    const id = (await row.getAttribute('data-attempt'))!;
    const button = row.getByRole('button', { name: 'View' });
    await button.click();
    const drawer = page.getByRole('dialog', { name: /attempt 1/ });
    await drawer.waitFor();
    await drawer.getByRole('region', { name: 'Attempt details' }).waitFor();
    expect(new URL(page.url()).searchParams.get('attempt')).toBe(id);

    const viewport = page.viewportSize()!;
    await expect
      .poll(async () => {
        const d = (await drawer.boundingBox())!;
        const r = (await row.boundingBox())!;
        const first = (await row.locator('td').first().boundingBox())!;
        return (
          d.y >= 0 &&
          d.y < viewport.height &&
          d.x + d.width <= viewport.width &&
          r.y >= 0 &&
          r.y + r.height <= viewport.height &&
          first.x + first.width <= d.x
        );
      })
      .toBe(true);
    expect(await focusInDrawer(page)).toBe(true);
    await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
    await expectNoAxeViolations(page, 'the delivery log with an attempt open (1,440 px)');

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await expect
      .poll(() =>
        page.evaluate('document.activeElement?.closest("[data-attempt]")?.getAttribute("data-attempt")'),
      )
      .toBe(id);
    expect(new URL(page.url()).searchParams.get('attempt')).toBeNull();

    // A link to one attempt opens it at once.
    await page.goto(`${base}${LOG}?attempt=${id}`);
    await drawer.getByRole('region', { name: 'Attempt details' }).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'detached' });
  });

  it('has no axe violations on the desktop log', async () => {
    await openLog(page, '?eventType=order.*');
    await expectNoAxeViolations(page, 'the delivery log (1,440 px)');
  });

  it('shows cards no wider than a 390 px phone, for the operator and in the portal', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const p = await phone.newPage();
      await signIn(p);
      await openLog(p);
      expect(await p.locator('table[aria-label="Attempts"]').count()).toBe(0);
      const cards = p.locator('ul[aria-label="Attempts"] > li');
      await expect.poll(() => cards.count()).toBe(ATTEMPTS);
      // Each card shows the type, the outcome, the response, the time, the endpoint and View.
      const newest = (await herald.api.get('/v1/tenants/acme/attempts?limit=1')).body.data[0];
      const first = cards.first();
      expect(await first.getAttribute('data-attempt')).toBe(newest.id);
      const shown = (await first.textContent()) ?? '';
      const endpoint = newest.eventType.startsWith('user.') ? 'users' : 'orders';
      for (const text of [
        newest.eventType,
        newest.succeeded ? 'succeeded' : 'failed',
        String(newest.responseStatus),
        endpoint,
      ]) {
        expect(shown).toContain(text);
      }
      expect(shown).toMatch(/Time\s*\d/);
      await expect(first.getByRole('button', { name: 'View' }).isVisible()).resolves.toBe(true);
      expect((await pageWidth(p)).scroll).toBeLessThanOrEqual(390);
      await expectNoAxeViolations(p, 'the delivery log (390 px)');

      // The drawer is a full-screen sheet there, with focus in it.
      await first.getByRole('button', { name: 'View' }).click();
      const sheet = p.getByRole('dialog');
      await sheet.waitFor();
      const box = (await sheet.boundingBox())!;
      expect(box.x).toBe(0);
      expect(box.width).toBe(390);
      expect(await focusInDrawer(p)).toBe(true);
      expect((await pageWidth(p)).scroll).toBeLessThanOrEqual(390);
      await expectNoAxeViolations(p, 'an attempt open on a 390 px phone');
      await p.keyboard.press('Escape');
      await sheet.waitFor({ state: 'detached' });

      const session = await herald.api.post('/v1/tenants/acme/portal-sessions', {});
      expect(session.status).toBe(201);
      const portal = await phone.newPage();
      await portal.goto(session.body.url);
      await portal.getByRole('heading', { name: 'Subscriptions' }).waitFor();
      await portal.getByRole('link', { name: 'Delivery log' }).click();
      await portal.locator('ul[aria-label="Attempts"] > li').first().waitFor();
      expect(await portal.locator('table[aria-label="Attempts"]').count()).toBe(0);
      expect((await pageWidth(portal)).scroll).toBeLessThanOrEqual(390);
      await expectNoAxeViolations(portal, 'the portal delivery log (390 px)');
    } finally {
      await phone.close();
    }
    // Three axe runs over a page of cards and a full portal sign-in: slow on a busy 2-core machine.
  }, 120_000);
});
