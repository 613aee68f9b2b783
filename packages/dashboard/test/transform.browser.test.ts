/**
 * The subscription form's Transform section end to end: folded away, tried
 * on an example event (renaming a field, a throw, a loop stopped by the time
 * limit, a cancel), then saved with the subscription. Chromium and the real
 * Herald as in dashboard.browser.test.ts (see browser.ts).
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, TEST_ADMIN_KEY } from '../../server/test/helpers/in-process.ts';
import { findBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild } from './built-dashboard.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;
let page: Page;
let base: string;

/** Nothing listens there: a try sends nothing, and no event is sent to the saved subscription. */
const HOOK_URL = 'http://127.0.0.1:9/transformed';

const RENAME = `function handler(webhook) {
  const { type, ...rest } = webhook.payload;
  webhook.payload = { event_type: type, ...rest };
  webhook.headers['X-Site'] = webhook.payload.data.site;
  return webhook;
}`;

const source = () => page.getByLabel('Transform (JavaScript; empty: none)');
const result = () => page.getByRole('status', { name: 'Transform result' });
const tryIt = () => page.getByRole('button', { name: 'Try it' });
const block = (label: string): Locator => result().locator(`pre[data-label="${label}"]`);

/** Types a transform and runs Try it; the result region is what the caller reads. */
async function tryTransform(text: string): Promise<void> {
  await source().fill(text);
  await tryIt().click();
}

beforeAll(async () => {
  await ensureBuilt();
  herald = await startTestHerald();
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  const { api } = herald;
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  for (const [name, example] of [
    ['device.enrolled', { deviceId: 'dev_new', site: 'Berlin' }],
    ['device.retired', { deviceId: 'dev_old', site: 'Lyon' }],
  ] as const) {
    const created = await api.post('/v1/event-types', { name, group: 'Enrollment events', example });
    expect(created.status).toBe(201);
  }
  browser = await launchBrowser(await findBrowser());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(TEST_ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

describe('subscription form: transform', () => {
  it('is folded away on a new subscription, and tries a transform that renames a field', async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/new`);
    await page.getByLabel('Name', { exact: true }).fill('acme-transformed');
    await page.getByLabel('URL').fill(HOOK_URL);
    await page.getByLabel('Only the events selected below').check();
    await page.getByLabel('device.retired', { exact: true }).check();
    await page.getByRole('button', { name: 'Delivery', exact: true }).click();
    await page.getByLabel('HTTP method').selectOption('PUT');
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header name').fill('X-Team');
    await page.getByLabel('Value', { exact: true }).fill('devices');

    await page.getByRole('button', { name: 'Advanced', exact: true }).click();
    const disclosure = page.getByRole('button', { name: 'Show transform' });
    expect(await disclosure.getAttribute('aria-expanded')).toBe('false');
    expect(await source().isVisible()).toBe(false);
    await disclosure.click();
    await source().waitFor();
    expect(await page.getByRole('button', { name: 'Hide transform' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await source().getAttribute('spellcheck')).toBe('false');
    expect(await source().getAttribute('placeholder')).toContain('function handler(webhook)');
    // The example defaults to the first event the form subscribes to, not the catalog's first.
    expect(await page.getByLabel('Example event').inputValue()).toBe('device.retired');

    await tryTransform(RENAME);
    const payload = JSON.parse((await block('Payload, transformed').textContent()) ?? '');
    expect(payload).toMatchObject({
      event_type: 'device.retired',
      data: { deviceId: 'dev_old', site: 'Lyon' },
    });
    expect(payload).not.toHaveProperty('type');
    // The form's method, URL and headers were the input; the transform's header was added.
    await result().getByText(`PUT ${HOOK_URL}`).waitFor();
    expect(JSON.parse((await block('Headers, transformed').textContent()) ?? '')).toEqual({
      'X-Team': 'devices',
      'X-Site': 'Lyon',
    });
    await expect(result().textContent()).resolves.toMatch(/in \d+\.\d ms/);

    // Right next to its button: the result starts just under it.
    const button = (await tryIt().boundingBox())!;
    const shown = (await result().boundingBox())!;
    expect(shown.y - (button.y + button.height)).toBeGreaterThanOrEqual(0);
    expect(shown.y - (button.y + button.height)).toBeLessThan(40);

    // Another example event, chosen by hand.
    await page.getByLabel('Example event').selectOption('device.enrolled');
    expect(await block('Payload, transformed').count()).toBe(0);
    await tryIt().click();
    await expect(block('Payload, transformed').textContent()).resolves.toContain(
      '"event_type": "device.enrolled"',
    );

    // An edit makes the result stale: it goes.
    await source().press('End');
    await source().pressSequentially('\n');
    expect(await block('Payload, transformed').count()).toBe(0);
    expect(await result().textContent()).toBe('');
  });

  it('shows why a transform failed: a throw, or a loop stopped by the time limit', async () => {
    await tryTransform(
      "function handler(webhook) {\n  throw new Error('no site for ' + webhook.eventType);\n}",
    );
    const error = result().locator('.error');
    await expect(error.textContent()).resolves.toMatch(
      /^Failed after \d+\.\d ms: transform threw: .*no site for device\.enrolled/,
    );

    await tryTransform('function handler(webhook) {\n  while (true) {}\n}');
    await result().locator('.error').getByText('transform timed out after 100 ms').waitFor();
    expect(await block('Payload, transformed').count()).toBe(0);
  });

  it('says when the transform would skip the delivery', async () => {
    await tryTransform('function handler(webhook) {\n  webhook.cancel = true;\n  return webhook;\n}');
    await result().getByText('this delivery would be skipped').waitFor();
    await result().getByText('skipped', { exact: true }).waitFor();
    // What comes back is the input, so it is not called transformed.
    expect(await block('Payload, transformed').count()).toBe(0);
    await expect(block('Payload, as given').textContent()).resolves.toContain('"type": "device.enrolled"');
  });

  it('gives every control of the open section an accessible name', async () => {
    // No axe-core in this repository's dependencies: the names are checked the way a screen reader gets them.
    const section = page.getByRole('group', { name: 'Transform' });
    await section.getByRole('textbox', { name: 'Transform (JavaScript; empty: none)' }).waitFor();
    await section.getByRole('combobox', { name: 'Example event' }).waitFor();
    await section.getByRole('button', { name: 'Try it' }).waitFor();
    // Every control as the accessibility tree has it: none without a name.
    const tree = await section.ariaSnapshot();
    const unnamed = tree
      .split('\n')
      .filter((line) => /^\s*- (textbox|combobox|button|checkbox)\b(?! ")/.test(line));
    expect(unnamed).toEqual([]);
    expect(await source().getAttribute('aria-describedby')).toBe('transform-help');
  });

  it('saves the transform with the subscription, opens it unfolded, and clears it', async () => {
    await source().fill(RENAME);
    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    const saved = await herald.api.get(`/v1/tenants/acme/endpoints/${id}`);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ name: 'acme-transformed', transform: RENAME });

    // A subscription with a transform opens with the section unfolded.
    await page.reload();
    await source().waitFor();
    expect(await page.getByRole('button', { name: 'Hide transform' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await source().inputValue()).toBe(RENAME);

    // Blank text is no transform: saving sends null, which clears it.
    await source().fill('  \n ');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await herald.api.get(`/v1/tenants/acme/endpoints/${id}`)).body.transform).toBeNull();
  });
});
