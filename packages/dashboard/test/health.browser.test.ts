/**
 * Endpoint health in the dashboard, end to end (Chromium, a real Herald with a
 * low circuit threshold, a real receiver): a failing endpoint's open circuit
 * shows in the subscriptions list and the overview's notices; a bulk retry
 * behind it says why nothing went and offers "Reset circuit", after which the
 * deliveries arrive; the overview follows new failures without a reload.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
let context: BrowserContext;
let page: Page;
let base: string;
/** Paths the receiver answers 500 on, until removed. */
const down = new Set<string>(['/orders', '/billing']);
let orders = '';

const api = () => herald.api;
const health = async (eid: string) => (await api().get(`/v1/tenants/acme/endpoints/${eid}/health`)).body;
const requestsTo = (path: string) => receiver.requests.filter((r) => r.url === path).length;

async function endpoint(name: string, path: string): Promise<string> {
  const res = await api().post('/v1/tenants/acme/endpoints', {
    url: `${receiver.url}${path}`,
    name,
    // No automatic retries: each failure is exhausted at once and waits for a person.
    retry: { maxAttempts: 1 },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const send = (n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      api().post('/v1/tenants/acme/events', { type: 'order.created', data: { n: i } }),
    ),
  );

beforeAll(async () => {
  await ensureBuilt();
  receiver = await startReceiver((req) =>
    down.has(req.url) ? { status: 500, body: 'down' } : { status: 200 },
  );
  // Two failures open a circuit, and it stays open for ten minutes: only a reset closes it in this test.
  herald = await startTestHerald({
    HERALD_CIRCUIT_FAILURE_THRESHOLD: '2',
    HERALD_CIRCUIT_COOLDOWN_MS: '600000',
  });
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  expect((await api().post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  orders = await endpoint('orders-hook', '/orders');
  browser = await launchBrowser(await findBrowser());
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(`sessionStorage.setItem('herald.apiKey', ${JSON.stringify(TEST_ADMIN_KEY)})`);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
  await receiver?.close();
});

describe('endpoint health', () => {
  it('shows an open circuit in the subscriptions list and in the overview notices', async () => {
    await send(2);
    await waitUntil(
      'the circuit of orders-hook to open',
      async () => (await health(orders)).circuit.state === 'open',
    );

    await page.goto(`${base}/tenants/acme/subscriptions`);
    const row = page.locator(`tr[data-endpoint="${orders}"]`);
    await row.getByText('circuit open').waitFor();
    await expect(row.textContent()).resolves.toMatch(/next probe/);
    await expect(row.textContent()).resolves.toContain('the endpoint answered 500');
    await row.getByRole('button', { name: 'Reset circuit: orders-hook' }).waitFor();
    await expectNoAxeViolations(page, 'subscriptions with an open circuit');

    await page.goto(`${base}/`);
    const notices = page.getByRole('list', { name: 'Notices' });
    const circuit = notices.locator('li[data-notice="circuit"]', { hasText: 'orders-hook' });
    await circuit.waitFor();
    await expect(circuit.textContent()).resolves.toContain('2 attempts in a row failed');
    await notices.locator('li[data-notice="exhausted"]', { hasText: 'orders-hook' }).waitFor();
    await page.getByRole('img', { name: /^Failures per minute: 2 in the last hour/ }).waitFor();
    await expectNoAxeViolations(page, 'overview with notices');

    // The notice leads to where to act.
    await circuit.getByRole('link').click();
    await page.getByRole('region', { name: 'Health' }).getByText('circuit open').waitFor();
  });

  it('a bulk retry behind the open circuit names it, offers Reset circuit, and the deliveries arrive', async () => {
    // The receiver is fixed; the circuit stays open (ten-minute cooldown) until someone resets it.
    down.delete('/orders');
    const before = requestsTo('/orders');
    await page.goto(`${base}/tenants/acme/subscriptions/${orders}`);
    await page.getByRole('region', { name: 'Health' }).getByText('circuit open').waitFor();
    const recover = page.getByRole('button', { name: 'Recover failed deliveries since…' });
    // Recovery sits in the form's folded Advanced section.
    if (!(await recover.isVisible())) await page.getByRole('button', { name: /Advanced$/ }).click();
    await recover.click();
    const dialog = page.getByRole('alertdialog', { name: 'Recover failed deliveries since…' });
    // The confirmation previews what the job would do.
    const preview = dialog.getByText(/This would queue again/);
    await preview.waitFor();
    await expect(preview.textContent()).resolves.toMatch(
      /2 deliveries.*Nothing goes out now.*open circuit of orders-hook/s,
    );
    await expectNoAxeViolations(page, 'the bulk retry confirmation');
    await dialog.getByRole('button', { name: 'Confirm' }).click();

    const progress = page.getByRole('status', { name: 'Job progress' });
    await progress.getByText('succeeded').waitFor({ timeout: 20_000 });
    await expect(progress.textContent()).resolves.toContain('0 go out now');
    const reason = page.locator('.job-action li[data-reason="circuit_open"]');
    await expect(reason.textContent()).resolves.toContain(
      '2 deliveries wait behind the open circuit of orders-hook',
    );
    expect(requestsTo('/orders')).toBe(before);
    await expectNoAxeViolations(page, 'a job held by an open circuit');

    await reason.getByRole('button', { name: 'Reset circuit: orders-hook' }).click();
    await reason.getByText(/Circuit reset\. 2 deliveries go out now/).waitFor();
    await waitUntil('both deliveries to arrive', () => requestsTo('/orders') === before + 2, 15_000);
    await page
      .getByRole('region', { name: 'Health' })
      .getByText('circuit closed')
      .waitFor({ timeout: 10_000 });
  });

  it("the log's bulk retry previews its count, and its result offers Reset circuit", async () => {
    down.add('/stock');
    const stock = await endpoint('stock-hook', '/stock');
    await send(2);
    await waitUntil(
      'the circuit of stock-hook to open',
      async () => (await health(stock)).circuit.state === 'open',
    );
    down.delete('/stock');
    const before = requestsTo('/stock');

    await page.goto(`${base}/tenants/acme/log`);
    const label = 'Retry failed deliveries matching these filters';
    const button = page.getByRole('button', { name: label });
    await expect.poll(() => button.isEnabled(), { timeout: 15_000 }).toBe(true);
    await button.click();
    const dialog = page.getByRole('alertdialog', { name: label });
    const preview = dialog.getByText(/This would queue again/);
    await preview.waitFor();
    // stock-hook's two failed deliveries would be queued again, behind its open circuit.
    await expect(preview.textContent()).resolves.toMatch(
      /2 deliveries wait behind the open circuit of stock-hook/,
    );
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const progress = page.getByRole('status', { name: 'Job progress' });
    await progress.getByText('succeeded').waitFor({ timeout: 20_000 });
    const reason = page.locator('li[data-reason="circuit_open"]', { hasText: 'stock-hook' });
    await reason.waitFor();
    await expectNoAxeViolations(page, 'the log after a bulk retry held by an open circuit');
    await reason.getByRole('button', { name: 'Reset circuit: stock-hook' }).click();
    await waitUntil('the stock deliveries to arrive', () => requestsTo('/stock') === before + 2, 15_000);
  });

  it('the overview follows a new failure without a reload', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.evaluate('window.__stillTheSamePage = true');
    const notices = page.getByRole('list', { name: 'Notices' });
    const billingNotices = notices.locator('li', { hasText: 'billing-hook' });
    expect(await billingNotices.count()).toBe(0);

    const billing = await endpoint('billing-hook', '/billing');
    await api().post('/v1/tenants/acme/events', { type: 'order.created', data: { n: 'late' } });
    await waitUntil('the billing delivery to fail', async () => (await health(billing)).exhausted === 1);
    await notices
      .locator('li[data-notice="failing"]', { hasText: 'billing-hook' })
      .waitFor({ timeout: 15_000 });
    await notices.locator('li[data-notice="exhausted"]', { hasText: 'billing-hook' }).waitFor();
    expect(await page.evaluate('window.__stillTheSamePage')).toBe(true);
    await expectNoAxeViolations(page, 'overview after a refresh');
  });
});
