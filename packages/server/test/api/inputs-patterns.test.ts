/**
 * JSON Schema `pattern`s of event types run on RE2 (linear time): a
 * catastrophic-backtracking pattern cannot block the event loop, a pattern
 * RE2 cannot run is refused when the type is created, and one stored before
 * that check makes its events a 422, not a 500.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_STORE_KINDS, expectError, type StoreApi, startApiOn } from './store-kinds.ts';

const stringWith = (pattern: string) => ({
  type: 'object',
  properties: { s: { type: 'string', pattern } },
});

describe.each(API_STORE_KINDS)('schema patterns on $name', (kind) => {
  let h: StoreApi;
  beforeEach(async () => {
    if (kind.skip) return;
    h = await startApiOn(kind);
    await h.tenant('acme');
  });
  afterEach(async () => h?.close());

  it.skipIf(kind.skip)('matches ^(a+)+$ in linear time, and /healthz answers meanwhile', async () => {
    const created = await h.call('POST', '/v1/event-types', {
      name: 'redos.check',
      schema: stringWith('^(a+)+$'),
    });
    expect(created.status).toBe(201);
    const started = performance.now();
    const [event, health] = await Promise.all([
      h.call('POST', '/v1/tenants/acme/events', { type: 'redos.check', data: { s: `${'a'.repeat(31)}!` } }),
      h.call('GET', '/healthz'),
    ]);
    // A sanity bound only: backtracking takes seconds here (2^31 steps), RE2 well under a millisecond.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(health.status).toBe(200);
    expect(expectError(event, 422, 'validation_failed').message).toBe(
      'data.s must match pattern "^(a+)+$"; nothing was stored',
    );
    const ok = await h.call('POST', '/v1/tenants/acme/events', { type: 'redos.check', data: { s: 'aaa' } });
    expect(ok.status).toBe(202);
  });

  it.skipIf(kind.skip).each([
    ['a backreference', stringWith('^(a)\\1$')],
    ['a lookahead', stringWith('^(?=a)a$')],
    [
      'a lookbehind in patternProperties',
      { type: 'object', patternProperties: { '(?<=x)y': { type: 'string' } } },
    ],
  ])('refuses a schema with %s at creation, saying why', async (_, schema) => {
    const res = await h.call('POST', '/v1/event-types', { name: 'bad.pattern', schema });
    const error = expectError(res, 422, 'validation_failed');
    expect(error.message).toMatch(/^schema is not a valid JSON Schema: pattern ".+" cannot be used: /);
    expect(error.message).toContain('linear time (RE2 syntax), which has no backreferences');
    expect(await h.store.getEventType('bad.pattern')).toBeNull();
  });

  it.skipIf(kind.skip)('reads JavaScript pattern syntax as JavaScript would', async () => {
    const schema = {
      type: 'object',
      properties: {
        word: { type: 'string', pattern: '^(?<first>\\u00e9|\\d)\\w*$' },
        one: { type: 'string', pattern: '^.$' },
      },
      patternProperties: { '^x-[a-z]+$': { type: 'integer' } },
    };
    expect((await h.call('POST', '/v1/event-types', { name: 'js.syntax', schema })).status).toBe(201);
    const send = (data: unknown) => h.call('POST', '/v1/tenants/acme/events', { type: 'js.syntax', data });
    expect((await send({ word: '\u00e9cole', one: '😀', 'x-count': 3 })).status).toBe(202);
    expect((await send({ word: '7up' })).status).toBe(202);
    const refused = await send({ word: 'cole', one: 'ab', 'x-count': 'three' });
    const paths = (expectError(refused, 422, 'validation_failed').details as { path: string }[]).map(
      (d) => d.path,
    );
    expect(paths.sort()).toEqual(['data.one', 'data.word', 'data.x-count']);
  });

  it.skipIf(kind.skip)('answers 422 for events of a type whose stored schema RE2 cannot run', async () => {
    // As stored by a Herald from before patterns were checked at creation.
    await h.store.createEventType({
      name: 'legacy.type',
      group: null,
      description: '',
      version: 1,
      schema: stringWith('^(?!x)'),
      example: null,
      now: h.clock.now,
    });
    const res = await h.call('POST', '/v1/tenants/acme/events', { type: 'legacy.type', data: { s: 'y' } });
    const error = expectError(res, 422, 'validation_failed');
    expect(error.message).toMatch(
      /^data cannot be checked: the schema of 'legacy.type' version 1 cannot be compiled \(pattern "\^\(\?!x\)" cannot be used: /,
    );
    expect(error.message).toContain('add a version with a corrected schema');
    expect((await h.store.listEvents('acme', {}, { limit: 10 })).data).toEqual([]);
  });
});
