/**
 * Hostile values: what a careless or malicious client sends. Each list is
 * aimed at a known way for input to reach a 5xx: numbers past what a column
 * holds, text a database refuses (NUL on PostgreSQL), header injection,
 * strings JavaScript can hold but UTF-8 cannot (lone surrogates), nesting that
 * exhausts a recursive walker, bodies at and past the size limit.
 */
import fc from 'fast-check';
import { Deep, deepText, Long, ManyKeys, RawNumber, Sequence } from './values.ts';

/** The API's default body limit (ApiOptions.bodyLimitBytes); strings are sized around it. */
export const BODY_LIMIT = 262_144;

/** Input that makes a backtracking regex engine take seconds on `^(a+)+$` and friends. */
export const REDOS_INPUT = `${'a'.repeat(30)}!`;

/**
 * A small JSON Schema whose validation takes 2^levels steps: each definition
 * applies the previous one twice to the same value. At 20 levels (1.4 KB) a
 * validator that tries every path spends a second on it and, if it reports
 * every failed path, answers with millions of errors; a few levels more and
 * it runs out of memory, which is why the fuzzer stops at 20.
 */
export function schemaBomb(levels: number): Record<string, unknown> {
  // `not: {}` fails for every value, so every path fails and a validator collecting errors collects them all.
  const defs: Record<string, unknown> = { d0: { not: {} } };
  for (let i = 1; i <= levels; i++) {
    defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i - 1}` }, { $ref: `#/$defs/d${i - 1}` }] };
  }
  return { $defs: defs, $ref: `#/$defs/d${levels}` };
}

/** Distinct array items, as many as fit well inside the body limit: an O(n²) `uniqueItems` takes seconds. */
export const UNIQUE_ITEMS_COUNT = 30_000;

export interface SlowSchema {
  /** The name it is seeded under (world.ts). */
  name: string;
  schema: Record<string, unknown>;
  /** A value that makes checking it slow, or its refusal huge. */
  attack: unknown;
}

/** Schemas whose checking may cost far more than the value checked is long, each with the value that shows it. */
export const SLOW_SCHEMAS: readonly SlowSchema[] = [
  {
    name: 'fuzz.redos',
    schema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } },
    attack: { s: REDOS_INPUT },
  },
  {
    name: 'fuzz.unique',
    schema: { type: 'object', properties: { xs: { type: 'array', uniqueItems: true } } },
    attack: { xs: new Sequence(UNIQUE_ITEMS_COUNT) },
  },
  { name: 'fuzz.bomb', schema: schemaBomb(20), attack: {} },
  {
    // Every property is tried against every pattern: 2,000 × 15,000 matches, each linear but many.
    name: 'fuzz.patterns',
    schema: {
      type: 'object',
      patternProperties: Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [`^p${i}x`, { type: 'string' }]),
      ),
    },
    attack: new ManyKeys(15_000),
  },
];

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\r\n',
  'name\r\nX-Injected: yes',
  '\n',
  '\t',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u202eevil.exe',
  'שלום עולם',
  '\ud800',
  'a\udc00b',
  '\uffff',
  '\ufeffbom',
  '\u2028\u2029',
  '..',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '<script>alert(1)</script>',
  '{VerificationKey}',
  '__proto__',
  '\\',
  REDOS_INPUT,
];

/** Long strings: around column and header limits, inside the body limit, and past it. */
export const longStrings = (maxLength?: number): fc.Arbitrary<Long> => {
  const counts = [257, 1025, 4097, 65_537, 200_000, BODY_LIMIT + 1];
  if (maxLength !== undefined) counts.unshift(maxLength + 1);
  return fc
    .tuple(fc.constantFrom('x', 'é', '😀', '\u0000', 'a\r\n'), fc.constantFrom(...counts))
    .map(([unit, count]) => new Long(unit, count));
};

export const HOSTILE_NUMBERS: readonly (number | RawNumber)[] = [
  1e20,
  -1e20,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 63,
  -1,
  0,
  -0,
  0.5,
  -0.0001,
  1e308,
  -1e308,
  5e-324,
  new RawNumber('9007199254740993'),
  new RawNumber('1e400'),
  new RawNumber('-1e400'),
  new RawNumber('123456789012345678901234567890'),
  new RawNumber('1E2'),
];

export const WRONG_TYPES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  1,
  '1',
  'true',
  [],
  {},
  [null],
  { '': '' },
];

/** JSON nested around the documented limit (64) and far past it. */
export const deepValues = (): fc.Arbitrary<Deep> =>
  fc
    .tuple(fc.constantFrom(63, 64, 65, 100, 1000, 4500, 10_000), fc.constantFrom('array', 'object'))
    .map(([depth, shape]) => new Deep(depth, shape as 'array' | 'object'));

export const hostileString = (maxLength?: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE_STRINGS))
        .map(([a, b]) => `${a}${b}`),
    },
    { weight: 1, arbitrary: longStrings(maxLength) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  );

export const hostileNumber = (): fc.Arbitrary<unknown> => fc.constantFrom(...HOSTILE_NUMBERS);

/** Keys no schema declares: unknown names, prototype keys, keys that are not text a database likes. */
export const UNKNOWN_KEYS: readonly string[] = [
  'unknownField',
  '__proto__',
  'constructor',
  '',
  'a\u0000b',
  '😀',
  'x'.repeat(300),
];

/** Bodies that are not the JSON object a route expects, each with the content type it is sent as. */
export const rawBodies = (): fc.Arbitrary<{ text: string; contentType: string | null }> =>
  fc.oneof(
    fc
      .constantFrom(
        '',
        ' ',
        '{',
        '}',
        'nul',
        'null',
        'true',
        '0',
        '"text"',
        '[]',
        '[{}]',
        '{"a":1}{"b":2}',
        '{"a":1,}',
        "{'a':1}",
        '\u0000',
        '\ufeff{}',
        '{"__proto__":{"polluted":1}}',
        '{"constructor":{"prototype":{"polluted":1}}}',
        '{"name":"\\ud800"}',
        '{"name":"a\\u0000b"}',
        '{"url":"https://a.example/x","url":"https://b.example/y"}',
        '1e400',
        '{"version":1e400}',
        '{"since":-1e400}',
      )
      .map((text) => ({ text, contentType: 'application/json' })),
    deepValues().map((d) => ({ text: deepText(d.depth, d.shape), contentType: 'application/json' })),
    fc
      .tuple(
        fc.constantFrom('{}', '{"name":"x"}', '{"url":"https://a.example"}'),
        fc.constantFrom(
          null,
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'APPLICATION/JSON',
          'application/json-patch+json',
          'application/json;;;',
        ),
      )
      .map(([text, contentType]) => ({ text, contentType })),
  );
