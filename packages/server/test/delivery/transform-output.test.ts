/**
 * What a handler may return, and the small parts around the sandbox: the
 * compiled-transform cache's bounds and the source checks made before any
 * engine sees a transform.
 */
import { describe, expect, it } from 'vitest';
import { CompiledCache } from '../../src/delivery/transform/compiled-cache.ts';
import { readWebhook, type TransformInput } from '../../src/delivery/transform/output.ts';
import { bracketDepth, sourceProblem } from '../../src/delivery/transform/source-limits.ts';

const input: TransformInput = {
  eventType: 'invoice.paid',
  eventId: 'evt_1',
  endpointId: 'ep_1',
  method: 'POST',
  url: 'https://erp.example.com/hooks',
  headers: { 'x-tenant': 'acme' },
  payload: { amount: 10 },
};

const read = (returned: Record<string, unknown>, maxBytes = 1024 * 1024) =>
  readWebhook(JSON.stringify({ ...input, ...returned }), input, maxBytes);

const message = (returned: Record<string, unknown>) => {
  const result = read(returned);
  if (result.ok) throw new Error('expected a refusal');
  return result.message;
};

describe('the returned webhook', () => {
  it('takes method, url, headers and payload as returned', () => {
    expect(
      read({ method: 'PATCH', url: 'http://erp.example.com/x?y=1', headers: { A: 'b' }, payload: [1, null] }),
    ).toEqual({
      ok: true,
      cancel: false,
      webhook: {
        ...input,
        method: 'PATCH',
        url: 'http://erp.example.com/x?y=1',
        headers: { A: 'b' },
        payload: [1, null],
      },
    });
  });

  it('keeps the input’s method, url and headers when they are left out, but wants a payload', () => {
    const result = readWebhook(JSON.stringify({ payload: 'x' }), input, 1024);
    expect(result).toEqual({ ok: true, cancel: false, webhook: { ...input, payload: 'x' } });
    expect(readWebhook(JSON.stringify({ headers: {} }), input, 1024)).toEqual({
      ok: false,
      message:
        'the transform returned no payload: set webhook.payload, or webhook.cancel = true to skip the delivery',
    });
    expect(read({ payload: null })).toMatchObject({ ok: true, webhook: { payload: null } });
  });

  it('refuses methods Herald endpoints do not use', () => {
    expect(message({ method: 'GET' })).toBe('webhook.method must be one of POST, PUT, PATCH (got "GET")');
    expect(message({ method: 'post' })).toBe('webhook.method must be one of POST, PUT, PATCH (got "post")');
    expect(message({ method: 7 })).toBe('webhook.method must be one of POST, PUT, PATCH (got 7)');
  });

  it('wants an absolute URL it can send as written (its scheme is checked with the endpoint)', () => {
    expect(read({ url: 'amqp://broker.example.com/' })).toMatchObject({ ok: true });
    expect(message({ url: '/relative' })).toBe('webhook.url is not a URL: "/relative"');
    expect(message({ url: 'https://erp.example.com/a\nb' })).toBe(
      'webhook.url must not contain spaces or control characters',
    );
    expect(message({ url: 'https://erp.example.com/a b' })).toBe(
      'webhook.url must not contain spaces or control characters',
    );
    expect(message({ url: `https://erp.example.com/${'a'.repeat(2100)}` })).toBe(
      'webhook.url is longer than 2048 characters',
    );
    // Placeholders and non-ASCII are the endpoint's own rules' business, not refused here.
    expect(read({ url: 'https://erp.example.com/{{key}}/ü' })).toMatchObject({ ok: true });
  });

  it('wants headers as names and string values that cannot split a header line', () => {
    expect(message({ headers: { 'x-a': 'one\r\nx-b: two' } })).toBe(
      'webhook.headers["x-a"] contains a line break or NUL character',
    );
    expect(message({ headers: { 'x-a': 'nul\u0000' } })).toBe(
      'webhook.headers["x-a"] contains a line break or NUL character',
    );
    expect(message({ headers: { 'x a': 'v' } })).toBe('webhook.headers: "x a" is not a valid header name');
    expect(message({ headers: { 'x-a\n': 'v' } })).toBe(
      'webhook.headers: "x-a\\n" is not a valid header name',
    );
    expect(message({ headers: { 'x-count': 3 } })).toBe(
      'webhook.headers["x-count"] must be a string (got number)',
    );
    expect(message({ headers: ['x-a'] })).toBe('webhook.headers must be an object of name → string value');
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-${i}`, 'v']));
    expect(message({ headers: many })).toBe('webhook.headers has 65 headers; at most 64');
  });

  it('refuses a header named __proto__, which as an object key would be no header at all', () => {
    const text = `{"payload":1,"headers":{"__proto__":"x"}}`;
    expect(readWebhook(text, input, 1024)).toEqual({
      ok: false,
      message: 'webhook.headers: "__proto__" is not a valid header name',
    });
  });

  it('cancels with cancel: true only', () => {
    expect(read({ cancel: true })).toEqual({ ok: true, cancel: true, webhook: input });
    expect(read({ cancel: false })).toMatchObject({ ok: true, cancel: false });
    expect(message({ cancel: 'yes' })).toBe('webhook.cancel must be true or false (got "yes")');
  });

  it('bounds its size in bytes of UTF-8, not characters', () => {
    const text = JSON.stringify({ payload: 'é'.repeat(600) });
    expect(readWebhook(text, input, 1024)).toEqual({
      ok: false,
      message: 'the transform returned 1.2 KiB of JSON; at most 1 KiB may be sent',
    });
    expect(readWebhook(text, input, 2048)).toMatchObject({ ok: true });
  });
});

describe('the compiled-transform cache', () => {
  const value = (log: string[], name: string) => ({ dispose: () => log.push(name) });

  it('evicts the least recently used beyond its count, disposing it', () => {
    const log: string[] = [];
    const cache = new CompiledCache<{ dispose(): void }>(2, 1000);
    cache.set('a', value(log, 'a'), 1);
    cache.set('b', value(log, 'b'), 1);
    cache.get('a');
    cache.set('c', value(log, 'c'), 1);
    expect(log).toEqual(['b']);
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([true, false, true]);
  });

  it('evicts by bytes too, when a value grows, sparing the one in use', () => {
    const log: string[] = [];
    const cache = new CompiledCache<{ dispose(): void }>(10, 100);
    cache.set('a', value(log, 'a'), 40);
    cache.set('b', value(log, 'b'), 40);
    cache.resize('b', 90);
    expect(log).toEqual(['a']);
    expect(cache.bytes).toBe(90);
    // Alone over the bound, the one in use stays: it was just compiled for a delivery.
    cache.resize('b', 150);
    expect(cache.size).toBe(1);
    cache.set('b', value(log, 'b2'), 10);
    expect(log).toEqual(['a', 'b']);
    cache.clear();
    expect(log).toEqual(['a', 'b', 'b2']);
    expect(cache.bytes).toBe(0);
  });
});

describe('sources', () => {
  it('counts bracket nesting over the raw text, so it never under-counts', () => {
    expect(bracketDepth('function handler(w) { return [w]; }')).toBe(2);
    expect(bracketDepth('"((("')).toBe(3);
    expect(bracketDepth(')))(')).toBe(1);
  });

  it('are bounded before any engine sees them', () => {
    expect(sourceProblem('function handler(w) { return w; }')).toBeNull();
    expect(sourceProblem(' \n ')).toMatch(/^the transform is empty/);
    expect(sourceProblem(`${'['.repeat(101)}`)).toBe(
      'the transform nests brackets 101 levels deep; at most 100 are allowed',
    );
    // 64 KiB of UTF-8: 30,000 characters of two bytes each are 58.6 KiB, 40,000 are too many.
    expect(sourceProblem(`//${'é'.repeat(30_000)}`)).toBeNull();
    expect(sourceProblem(`//${'é'.repeat(40_000)}`)).toBe(
      'the transform is 78.1 KiB; at most 64 KiB is allowed',
    );
  });
});
