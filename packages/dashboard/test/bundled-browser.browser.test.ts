/**
 * The fallback browser, on every run: the Chromium bundled in
 * @sparticuz/chromium, even where Debian's is installed (as in CI), so a
 * fresh machine's `npm test` cannot break unnoticed. One page, kept cheap:
 * dashboard.browser.test.ts covers the dashboard itself.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHerald } from '../../server/test/helpers/in-process.ts';
import { bundledBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild, mainChunk } from './built-dashboard.ts';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt();
  herald = await startTestHerald();
  await expectServesThisBuild(herald.herald.url!);
  browser = await launchBrowser(await bundledBrowser('the fallback, tested on every run'));
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
});

it('loads the real dashboard: the sign-in page drawn by its brotli-compressed script', async () => {
  // Two contexts, as the dashboard test opens: --single-process would crash on the first close.
  const spare = await browser.newContext();
  await spare.close();
  const context = await browser.newContext();
  const page = await context.newPage();
  const script = page.waitForResponse((r) => new URL(r.url()).pathname === `/${mainChunk()}`);
  await page.goto(`${herald.herald.url}/`);
  // React drew it: index.html itself holds only an empty #root.
  await page.getByRole('heading', { name: 'Sign in to Herald' }).waitFor();
  expect(await page.getByLabel('API key').isVisible()).toBe(true);
  expect((await script).headers()['content-encoding']).toBe('br');
  await context.close();
});
