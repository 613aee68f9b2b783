/**
 * Text no store can keep (U+0000, lone UTF-16 surrogates) and JSON nested
 * deeper than 64 levels: refused with a 422 naming the field, the same way on
 * both stores, in the body, the path, the query and the headers; nothing is
 * stored. Embedding's `send` refuses the same input alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HeraldError } from '../../src/domain/errors.ts';
import { createEventInputChecks } from '../../src/embed/event-input.ts';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const NUL = '\u0000';
const LONE = '\ud800';

/** `depth` arrays inside one another around a number: `[[1]]` is depth 2. */
const nested = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const pathOf = (error: { details?: unknown }) => (error.details as { path: string }[])[0]?.path;

describe.each(API_STORE_KINDS)('unstorable input on $name', (kind) => {
  let h: StoreApi;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    await h.tenant('acme');
  });
  afterEach(async () => h?.close());

  const events = async () => (await h.store.listEvents('acme', {}, { limit: 100 })).data;

  it.skipIf(kind.skip).each([
    ['a tenant name with NUL', '/v1/tenants', { id: 'nul', name: `a${NUL}b` }, 'body.name', /NUL character/],
    [
      'a tenant name with a lone surrogate',
      '/v1/tenants',
      { id: 'sur', name: `a${LONE}b` },
      'body.name',
      /lone UTF-16 surrogate \(\\ud800\)/,
    ],
    [
      'a metadata key with NUL',
      '/v1/tenants',
      { id: 'meta', metadata: { [`k${NUL}`]: 1 } },
      'body.metadata',
      /^property names must not contain the NUL/,
    ],
    [
      'an event type description with NUL',
      '/v1/event-types',
      { name: 'a.b', description: NUL },
      'body.description',
      /NUL/,
    ],
    [
      'an endpoint name with NUL',
      '/v1/tenants/acme/endpoints',
      { url: 'https://example.com/h', name: NUL },
      'body.name',
      /NUL/,
    ],
  ])('refuses %s', async (_, url, body, path, message) => {
    const error = expectError(await h.call('POST', url, body), 422, 'validation_failed');
    expect(pathOf(error)).toBe(path);
    expect((error.details as { message: string }[])[0]?.message).toMatch(message);
    expect((await h.call('GET', '/v1/tenants')).body.data.map((t: { id: string }) => t.id)).toEqual(['acme']);
    expect(await h.store.getEventType('a.b')).toBeNull();
    expect((await h.call('GET', '/v1/tenants/acme/endpoints')).body.data).toEqual([]);
  });

  it.skipIf(kind.skip)(
    'refuses NUL and lone surrogates in event data and keys, storing no event',
    async () => {
      for (const body of [
        { type: 'a.b', data: { note: `x${NUL}` } },
        { type: 'a.b', data: [`\udc00 alone`] },
        { type: 'a.b', data: {}, idempotencyKey: `k${NUL}` },
        { type: 'a.b', data: {}, resource: `r${LONE}` },
      ]) {
        const error = expectError(
          await h.call('POST', '/v1/tenants/acme/events', body),
          422,
          'validation_failed',
        );
        expect(pathOf(error)).toMatch(/^body\.(data|idempotencyKey|resource)/);
      }
      const batch = await h.call('POST', '/v1/tenants/acme/events/batch', {
        events: [
          { type: 'a.b', data: 1 },
          { type: 'a.b', data: { deep: [NUL] } },
        ],
      });
      expect(pathOf(expectError(batch, 422, 'validation_failed'))).toBe('body.events[1].data.deep[0]');
      // JSON.parse makes 1e400 Infinity, which would be stored as null.
      const huge = await h.call('POST', '/v1/tenants/acme/events', '{"type":"a.b","data":{"n":1e400}}');
      expect(pathOf(expectError(huge, 422, 'validation_failed'))).toBe('body.data.n');
      expect(await events()).toEqual([]);
    },
  );

  it.skipIf(kind.skip)(
    'refuses NUL in the path, the query and the headers before they reach the store',
    async () => {
      const param = expectError(await h.call('GET', '/v1/tenants/a%00b'), 422, 'validation_failed');
      expect(pathOf(param)).toBe('params.tid');
      const query = expectError(
        await h.call('GET', '/v1/tenants/acme/events?type=a%00b'),
        422,
        'validation_failed',
      );
      expect(pathOf(query)).toBe('query.type');
      const attempts = await h.call('GET', '/v1/tenants/acme/attempts?requestId=%00');
      expect(pathOf(expectError(attempts, 422, 'validation_failed'))).toBe('query.requestId');
      const header = await h.call(
        'POST',
        '/v1/tenants/acme/events',
        { type: 'a.b', data: {} },
        {
          headers: { 'idempotency-key': `k${NUL}` },
        },
      );
      expect(pathOf(expectError(header, 422, 'validation_failed'))).toBe('headers.idempotency-key');
      expect(await events()).toEqual([]);
    },
  );

  it.skipIf(kind.skip)(
    'stores well-formed text as sent: emoji, other scripts, an escaped backslash-u',
    async () => {
      const data = { emoji: '😀 🇫🇷', script: 'Grüße, 日本語', literal: '\\u0000 is six characters' };
      const sent = await h.call('POST', '/v1/tenants/acme/events', { type: 'a.b', data });
      expect(sent.status).toBe(202);
      const stored = await h.call('GET', `/v1/tenants/acme/events/${sent.body.id}`);
      expect(stored.body.data).toEqual(data);
    },
  );

  it.skipIf(kind.skip)(
    'refuses JSON nested deeper than 64 levels before parsing, storing nothing',
    async () => {
      for (const depth of [65, 4500, 100_000]) {
        const body = `{"type":"a.b","data":${nested(depth - 1)}}`;
        const error = expectError(
          await h.call('POST', '/v1/tenants/acme/events', body),
          422,
          'validation_failed',
        );
        expect(error.message).toMatch(/^body is nested more than 64 levels deep/);
      }
      const tenant = await h.call(
        'POST',
        '/v1/tenants',
        `{"id":"deep","metadata":${'{"a":'.repeat(64)}1${'}'.repeat(64)}}`,
      );
      expectError(tenant, 422, 'validation_failed');
      expect(await events()).toEqual([]);
      expect((await h.call('GET', '/v1/tenants/deep')).status).toBe(404);
    },
  );

  it.skipIf(kind.skip)('takes 64 levels, and brackets inside strings do not count', async () => {
    const atLimit = await h.call('POST', '/v1/tenants/acme/events', `{"type":"a.b","data":${nested(63)}}`);
    expect(atLimit.status).toBe(202);
    const inText = await h.call('POST', '/v1/tenants/acme/events', {
      type: 'a.b',
      data: { text: `${'['.repeat(100)}\\"{{{` },
    });
    expect(inText.status).toBe(202);
    expect(await events()).toHaveLength(2);
  });
});

describe("embedding's send refuses what the API refuses", () => {
  const checks = createEventInputChecks({ bodyLimitBytes: 262_144 });
  const refusal = (fn: () => unknown): HeraldError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof HeraldError) return err;
      throw err;
    }
    throw new Error('expected a HeraldError');
  };

  it('nesting over 64 levels, however deep', () => {
    for (const depth of [65, 20_000]) {
      let data: unknown = 1;
      for (let i = 1; i < depth; i++) data = [data];
      const err = refusal(() => checks.event({ type: 'a.b', data }));
      expect(err.code).toBe('validation_failed');
      expect(err.message).toMatch(/^event is nested more than 64 levels deep/);
    }
  });

  it('NUL and lone surrogates, naming the field', () => {
    const nul = refusal(() => checks.event({ type: 'a.b', data: { note: NUL } }));
    expect(nul.code).toBe('validation_failed');
    expect(nul.details).toEqual([
      { path: 'event.data.note', message: expect.stringMatching(/^must not contain the NUL character/) },
    ]);
    const lone = refusal(() => checks.batch([{ type: 'a.b', data: 1, idempotencyKey: LONE }]));
    expect((lone.details as { path: string }[])[0]?.path).toBe('events[0].idempotencyKey');
  });
});
