/** The typed client's "Try it" for transformations: the route, the body as given, a failed transform as a result. */
import { describe, expect, it } from 'vitest';
import { HeraldClient, type TryTransformResult } from '../src/client/index.ts';

function answering(answer: TryTransformResult) {
  const sent: { method: string | undefined; url: URL; body: unknown }[] = [];
  const client = new HeraldClient({
    baseUrl: 'http://herald.test',
    apiKey: 'hk_test',
    fetch: async (input, init) => {
      sent.push({ method: init?.method, url: new URL(String(input)), body: JSON.parse(String(init?.body)) });
      return new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { client, sent };
}

const SOURCE = 'function handler(webhook) { return webhook; }';

describe('the client and transforms', () => {
  it('posts the body to the tenant’s try route and answers the result', async () => {
    const webhook = {
      eventType: 'device.enrolled',
      eventId: 'msg_1',
      endpointId: null,
      method: 'PUT',
      url: 'https://x.example.com/',
      headers: { 'X-Team': 'devices' },
      payload: { type: 'device.enrolled' },
    };
    const { client, sent } = answering({ ok: true, cancel: false, webhook, durationUs: 812 });
    const body = {
      transform: SOURCE,
      eventType: 'device.enrolled',
      envelope: 'none' as const,
      webhook: { method: 'PUT', headers: { 'X-Team': 'devices' } },
    };
    const result = await client.tryTransform('acme corp', body);
    expect(sent).toEqual([
      { method: 'POST', url: new URL('http://herald.test/v1/tenants/acme%20corp/transforms/try'), body },
    ]);
    expect(result.ok && result.webhook.headers).toEqual({ 'X-Team': 'devices' });
  });

  it('answers a failing transform as ok: false with its message, not as an error', async () => {
    const { client } = answering({
      ok: false,
      message: 'transform timed out after 100 ms',
      durationUs: 100_400,
    });
    const result = await client.tryTransform('acme', { transform: 'function handler() { while (true) {} }' });
    expect(result).toEqual({ ok: false, message: 'transform timed out after 100 ms', durationUs: 100_400 });
  });
});
