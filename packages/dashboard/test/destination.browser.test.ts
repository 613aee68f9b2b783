/**
 * Delivery methods beyond HTTP in the subscription form, end to end: Chromium
 * and a real Herald (as in transform.browser.test.ts) and the real RabbitMQ
 * on 127.0.0.1:5672 (guest/guest). A RabbitMQ subscription made through the
 * form keeps its options and shows its URL masked; a bad option's 422 sits
 * next to that option; an event reaches the queue and its attempt shows the
 * broker's answer; a relay:// subscription shows the Listen locally command;
 * and the form with a broker chosen is axe clean at 1,280 and 390 px.
 */
import amqplib from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, TEST_ADMIN_KEY } from '../../server/test/helpers/in-process.ts';
import { expectNoAxeViolations } from './axe.ts';
import { findBrowser, launchBrowser } from './browser.ts';
import { ensureBuilt, expectServesThisBuild } from './built-dashboard.ts';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672/';
/** The default exchange routes by queue name: the routing key renders to this queue's. */
const QUEUE = `herald-dashboard-${process.pid}.device.enrolled`;
const ROUTING_KEY = `herald-dashboard-${process.pid}.{{type}}`;
const NEW = '/tenants/acme/subscriptions/new';

let herald: Awaited<ReturnType<typeof startTestHerald>>;
let browser: Browser;
let page: Page;
let base: string;
let rabbit: amqplib.ChannelModel;
let channel: amqplib.Channel;
/** The RabbitMQ subscription made through the form. */
let amqpId = '';

async function signedIn(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const p = await context.newPage();
  await p.goto(`${base}/`);
  await p.getByLabel('API key').fill(TEST_ADMIN_KEY);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Overview' }).waitFor();
  return p;
}

const idFromPage = (p: Page) => decodeURIComponent(new URL(p.url()).pathname.split('/').pop()!);

beforeAll(async () => {
  await ensureBuilt();
  herald = await startTestHerald();
  base = herald.herald.url!;
  await expectServesThisBuild(base);
  const { api } = herald;
  expect((await api.post('/v1/tenants', { id: 'acme', name: 'Acme Corp' })).status).toBe(201);
  const type = await api.post('/v1/event-types', {
    name: 'device.enrolled',
    group: 'Enrollment events',
    example: { deviceId: 'dev_1' },
  });
  expect(type.status).toBe(201);
  rabbit = await amqplib.connect(AMQP_URL);
  channel = await rabbit.createChannel();
  await channel.assertQueue(QUEUE, { exclusive: true });
  browser = await launchBrowser(await findBrowser());
  page = await signedIn(1280);
});

afterAll(async () => {
  await browser?.close();
  await herald?.close();
  await rabbit?.close();
});

describe('subscription form: delivery methods', () => {
  it('creates a RabbitMQ subscription: broker URL, its options, no HTTP-only fields', async () => {
    await page.goto(`${base}${NEW}`);
    const method = page.getByLabel('Delivery method');
    expect(await method.inputValue()).toBe('http');
    await method.selectOption({ label: 'RabbitMQ (AMQP)' });
    const url = page.getByLabel('Broker URL');
    expect(await url.getAttribute('placeholder')).toBe('amqp://user:password@rabbit.example.com:5672/vhost');
    await page.getByText('the path is the vhost').waitFor();
    expect(await page.getByLabel('Exchange').getAttribute('placeholder')).toBe('(the default exchange)');
    expect(await page.getByLabel('Routing key').getAttribute('placeholder')).toBe('{{type}}');
    await page.getByLabel('Name', { exact: true }).fill('acme-rabbit');
    await url.fill(AMQP_URL);
    // The options are a named group, reached with Tab right after the URL and its test button.
    await page.getByRole('group', { name: 'RabbitMQ (AMQP) options' }).waitFor();
    await url.focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Test connection');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('destination-exchange');
    await page.getByLabel('Routing key').fill(ROUTING_KEY);
    // Method and the ownership challenge are for HTTP receivers: not offered.
    await page.getByRole('button', { name: 'Delivery', exact: true }).click();
    await page.getByLabel('Format').waitFor();
    expect(await page.getByLabel('HTTP method').count()).toBe(0);
    await page.getByRole('button', { name: 'Security', exact: true }).click();
    await page.getByLabel('Signature scheme').waitFor();
    expect(await page.getByLabel('Require the ownership challenge before live traffic').count()).toBe(0);
    expect(await page.getByLabel(/Challenge request/).count()).toBe(0);

    // Test connection publishes one message: no HTTP status, the broker's confirm instead.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const test = page.getByRole('status', { name: 'Test result' });
    await test.getByText('delivered', { exact: true }).waitFor();
    expect(await test.locator('pre[data-label="Broker answer"]').textContent()).toMatch(/^confirmed by /);
    expect(await test.getByText('could not be reached').count()).toBe(0);

    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.getByRole('region', { name: 'Subscription created: copy its signing secret' }).waitFor();
    amqpId = idFromPage(page);
    const saved = await herald.api.get(`/v1/tenants/acme/endpoints/${amqpId}`);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      name: 'acme-rabbit',
      url: 'amqp://guest:***@127.0.0.1:5672/',
      destination: { routingKey: ROUTING_KEY },
      method: 'POST',
      requireVerification: false,
      status: 'active',
    });
    expect(saved.body.destination).not.toHaveProperty('exchange');
  });

  it('opens it as RabbitMQ with the password masked, and keeps the stored one when saving', async () => {
    await page.reload();
    const url = page.getByLabel('Broker URL');
    await url.waitFor();
    expect(await page.getByLabel('Delivery method').inputValue()).toBe('amqp');
    expect(await url.inputValue()).toBe('amqp://guest:***@127.0.0.1:5672/');
    await page.getByText('The password shows as ***').waitFor();
    expect(await page.getByLabel('Routing key').inputValue()).toBe(ROUTING_KEY);
    // No ownership challenge for a broker on the status panel either.
    expect(await page.getByRole('button', { name: 'Run ownership challenge' }).count()).toBe(0);

    await page.getByLabel('Description').fill('to the devices queue');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    // Delivered with the stored password: RabbitMQ has the message, the log its confirm.
    const sent = await herald.api.post('/v1/tenants/acme/events', {
      type: 'device.enrolled',
      data: { deviceId: 'dev_7' },
    });
    expect(sent.status).toBe(202);
    await expect
      .poll(async () => (await channel.get(QUEUE, { noAck: true })) || null, { timeout: 15_000 })
      .toMatchObject({ content: expect.any(Buffer) });
  });

  it('shows the broker answer of a delivered attempt in the log', async () => {
    const find = async () => {
      const res = await herald.api.get(`/v1/tenants/acme/attempts?endpointId=${amqpId}`);
      return (res.body.data as { id: string; succeeded: boolean }[])[0] ?? null;
    };
    await expect.poll(find, { timeout: 15_000 }).toMatchObject({ succeeded: true });
    const attempt = (await find())!;
    await page.goto(`${base}/tenants/acme/log?attempt=${attempt.id}`);
    const details = page.getByRole('region', { name: 'Attempt details' });
    await details.getByRole('heading', { name: 'Broker answer' }).waitFor();
    // The broker's own words (the server's wording of the confirm), not "no response".
    expect(await details.locator('pre[data-label="Broker answer"]').textContent()).toMatch(
      new RegExp(`^confirmed by .+ with routing key "${QUEUE.replace(/\./g, '\\.')}"$`),
    );
    expect(await details.getByText('(none)').count()).toBe(0);
    // The row says it too, instead of a dash.
    await page
      .locator(`[data-attempt="${attempt.id}"]`)
      .getByText(/^confirmed by /)
      .first()
      .waitFor();
  });

  it('shows the server’s 422 about an option next to that option', async () => {
    await page.goto(`${base}/tenants/acme/subscriptions/${amqpId}`);
    const key = page.getByLabel('Routing key');
    await key.fill('{{event}}');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = page.locator('#destination-routingKey-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      'Routing key: Uses the unknown placeholder "{{event}}"; the placeholders are {{type}}, {{tenantId}} and {{resource}}.',
    );
    expect(await key.getAttribute('aria-invalid')).toBe('true');
    expect(await key.getAttribute('aria-describedby')).toContain('destination-routingKey-error');
    // Right under its field (its hint between), not only in the form's error box.
    const field = (await key.boundingBox())!;
    const shown = (await error.boundingBox())!;
    expect(shown.y).toBeGreaterThan(field.y);
    expect(shown.y - (field.y + field.height)).toBeLessThan(60);
    await page
      .getByRole('alert')
      .getByText(/^Routing key: /)
      .waitFor();
    // Nothing was stored; an edit clears the error.
    expect((await herald.api.get(`/v1/tenants/acme/endpoints/${amqpId}`)).body.destination).toEqual({
      routingKey: ROUTING_KEY,
    });
    await key.fill('{{type}}');
    expect(await error.count()).toBe(0);
  });

  it('has no axe violations with a broker chosen, at 1,280 and 390 px', async () => {
    for (const width of [1280, 390]) {
      const p = width === 1280 ? page : await signedIn(width);
      await p.goto(`${base}${NEW}`);
      await p.getByLabel('Delivery method').selectOption('redis');
      await p.getByLabel('Stream').waitFor();
      expect(await p.getByLabel('Stream').getAttribute('aria-required')).toBe('true');
      await expectNoAxeViolations(p, `new subscription with Redis Streams chosen (${width} px)`);
      // With a 422 shown by its field too.
      await p.getByLabel('Broker URL').fill('redis://127.0.0.1:6379/0');
      await p.getByRole('button', { name: 'Save subscription' }).click();
      await p.locator('#destination-stream-error').waitFor();
      await expectNoAxeViolations(p, `Redis Streams form with an error (${width} px)`);
      if (width === 390) {
        const wide = Number(await p.evaluate('document.documentElement.scrollWidth'));
        expect(wide).toBeLessThanOrEqual(390);
        await p.context().close();
      }
    }
  });

  it('shows a relay subscription the command to listen locally, with a copy button', async () => {
    await page.goto(`${base}${NEW}`);
    await page.getByLabel('Delivery method').selectOption({ label: 'Local relay (herald listen)' });
    const url = page.getByLabel('Relay URL');
    expect(await url.inputValue()).toBe('relay://');
    await page.getByRole('button', { name: 'Save subscription' }).click();
    await page.getByRole('region', { name: 'Subscription created: copy its signing secret' }).waitFor();
    const id = idFromPage(page);
    const saved = (await herald.api.get(`/v1/tenants/acme/endpoints/${id}`)).body;
    expect(saved).toMatchObject({ url: 'relay://', destination: null });

    const panel = page.getByRole('region', { name: 'Listen locally' });
    const command = panel.locator('pre.listen-command');
    const origin = new URL(base).origin;
    expect(await command.textContent()).toBe(
      `npx herald listen http://localhost:3000/webhooks --api ${origin} --token <tenant token> --endpoint ${id}`,
    );
    await panel.getByText('forwards each to your local server').waitFor();
    // The operator makes a tenant token for it; the command then holds it.
    await panel.getByRole('button', { name: 'Create a tenant token for it' }).click();
    await panel.getByRole('status').getByText('Copy it now').waitFor();
    const withToken = (await command.textContent()) ?? '';
    const token = /--token (hk_\S+) --endpoint/.exec(withToken)?.[1];
    expect(token, withToken).toBeDefined();
    const asTenant = await fetch(`${base}/v1/tenants/acme/endpoints/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asTenant.status).toBe(200);
    // Another local server: the command follows.
    await panel.getByLabel('Your local server').fill('http://localhost:8080/hooks');
    expect(await command.textContent()).toContain('listen http://localhost:8080/hooks --api');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    await panel.getByRole('button', { name: 'Copy command' }).click();
    await panel.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await command.textContent());
    await expectNoAxeViolations(page, 'relay subscription with Listen locally (1,280 px)');
  });
});
