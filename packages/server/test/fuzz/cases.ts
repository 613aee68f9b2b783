/**
 * One fuzz case: who asks, the path params, headers, body, and which extra
 * GET reads the result back. Generated from a route's schemas, rendered into
 * an `inject` request against the live world, and printed readably when a
 * property fails.
 */
import fc from 'fast-check';
import {
  focusedArbitrary,
  type GenOptions,
  type JsonSchema,
  schemaArbitrary,
  withHint,
} from './arbitraries.ts';
import { HINTS, type Hint, OBJECT_HINTS } from './hints.ts';
import { rawBodies } from './hostile.ts';
import { type Catalogue, type ParamValue, pathParam, type RouteSpec } from './routes.ts';
import { Ref, resolveRefs, shorten, toJsonText } from './values.ts';
import type { World } from './world.ts';

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string | null };

export interface FuzzCase {
  /**
   * The admin key, the main tenant's own token (which must not reach the other
   * tenant), or an Authorization header as sent verbatim (null: none at all).
   */
  auth: 'admin' | 'tenant' | { header: string | null };
  path: Record<string, ParamValue>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: BodySpec;
  extraGet: number;
}

export interface RenderedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Path values as they went into the URL, for reading the result back. */
  values: Record<string, string>;
}

/** What an HTTP/1.1 header value can carry on the wire; anything else never reaches the server. */
const WIRE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const HEADER_HINTS: Readonly<Record<string, Hint>> = {
  'idempotency-key': {
    good: fc.oneof(
      fc.nat({ max: 1 }).map((i) => new Ref('fresh', 'main', i)),
      fc.constantFrom('key-1', 'key-2', 'key-3'),
    ),
    bad: fc.oneof(
      fc.constantFrom('', 'k'.repeat(257)),
      fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 300 }),
    ),
  },
};

/** Authorization headers that name no valid key, each a way a client gets it wrong. */
const BAD_AUTH = fc.constantFrom<string | null>(
  null,
  '',
  'Bearer',
  'Bearer hk_not_a_key',
  'Basic Zm9vOmJhcg==',
  'bearer  spaced  out',
  `Bearer ${'k'.repeat(10_000)}`,
  'Bearer \u00e9\u00ff',
);

function paramRecord(
  specs: readonly { name: string; required: boolean; schema: JsonSchema }[],
  opts: GenOptions,
  hints: Readonly<Record<string, Hint>>,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const spec of specs) {
    model[spec.name] = withHint(schemaArbitrary(spec.schema, opts), hints[spec.name], opts.hostile);
  }
  const requiredKeys = specs.filter((s) => s.required).map((s) => s.name);
  return fc.record(model, { requiredKeys, noNullPrototype: true });
}

function bodyArbitrary(route: RouteSpec, cat: Catalogue): fc.Arbitrary<BodySpec> {
  const raw = rawBodies().map((b): BodySpec => ({ kind: 'raw', ...b }));
  const none = fc.constant<BodySpec>({ kind: 'none' });
  if (!route.body) {
    const junk = schemaArbitrary({}, { hostile: true, hints: HINTS }).map(
      (value): BodySpec => ({ kind: 'json', value }),
    );
    return fc.oneof(
      { weight: 6, arbitrary: none },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: junk },
    );
  }
  const json = (values: fc.Arbitrary<unknown>) => values.map((value): BodySpec => ({ kind: 'json', value }));
  const opts = (hostile: boolean): GenOptions => ({
    hostile,
    hints: HINTS,
    objectHints: OBJECT_HINTS,
    resolveRef: cat.resolveRef,
  });
  // Valid bodies reach the handler; focused ones have one bad spot; scattered ones are bad all over.
  return fc.oneof(
    { weight: 4, arbitrary: json(schemaArbitrary(route.body.schema, opts(false))) },
    { weight: 4, arbitrary: json(focusedArbitrary(route.body.schema, opts(true))) },
    { weight: 2, arbitrary: json(schemaArbitrary(route.body.schema, opts(true))) },
    { weight: 1, arbitrary: raw },
    { weight: route.body.required ? 0 : 1, arbitrary: none },
  );
}

export function caseArbitrary(route: RouteSpec, cat: Catalogue): fc.Arbitrary<FuzzCase> {
  // Mostly every param names a live row of the main tenant, so the handler runs; else each is anything.
  const valid: Record<string, fc.Arbitrary<ParamValue>> = {};
  const any: Record<string, fc.Arbitrary<ParamValue>> = {};
  for (const name of route.pathParams) {
    const gen = pathParam(route.pattern, name);
    valid[name] = gen.valid;
    any[name] = gen.any;
  }
  const path = fc.oneof({ weight: 3, arbitrary: fc.record(valid) }, { weight: 2, arbitrary: fc.record(any) });
  const opts = (hostile: boolean): GenOptions => ({ hostile, hints: HINTS, resolveRef: cat.resolveRef });
  const side = (hostile: boolean) =>
    fc.record({
      query: paramRecord(route.query, opts(hostile), HINTS),
      headers: paramRecord(route.headers, opts(hostile), HEADER_HINTS),
    });
  return fc
    .record({
      auth: fc.oneof(
        { weight: 6, arbitrary: fc.constant<FuzzCase['auth']>('admin') },
        { weight: 2, arbitrary: fc.constant<FuzzCase['auth']>('tenant') },
        { weight: 1, arbitrary: BAD_AUTH.map((header): FuzzCase['auth'] => ({ header })) },
      ),
      path,
      sides: fc.oneof(side(false), side(true)),
      body: bodyArbitrary(route, cat),
      extraGet: fc.nat({ max: 1000 }),
    })
    .map(({ sides, ...rest }) => ({ ...rest, ...sides }));
}

/** A path segment, percent-encoded; lone surrogates as their WTF-8 bytes, which are not valid UTF-8. */
export function encodeSegment(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const bytes = [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : toJsonText(value);
}

export function renderRequest(route: RouteSpec, c: FuzzCase, world: World): RenderedRequest {
  const values: Record<string, string> = {};
  for (const name of route.pathParams) {
    const v = c.path[name]!;
    values[name] =
      v instanceof Ref ? encodeURIComponent(world.resolve(v)) : 'raw' in v ? v.raw : encodeSegment(v.text);
  }
  const url = route.pattern.replace(/:(\w+)/g, (_m, name: string) => values[name]!);
  const query = Object.entries(resolveRefs(c.query, world.resolve) as Record<string, unknown>)
    .map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(textOf(v))}`)
    .join('&');
  const headers: Record<string, string> = {};
  if (c.auth === 'admin') headers.authorization = `Bearer ${world.adminKey}`;
  else if (c.auth === 'tenant') headers.authorization = `Bearer ${world.tenant('main').token}`;
  else if (c.auth.header !== null) headers.authorization = c.auth.header;
  for (const [k, v] of Object.entries(resolveRefs(c.headers, world.resolve) as Record<string, unknown>)) {
    const text = textOf(v);
    if (WIRE_HEADER_VALUE.test(text)) headers[k] = text;
  }
  let payload: string | undefined;
  if (c.body.kind === 'json') {
    payload = toJsonText(resolveRefs(c.body.value, world.resolve));
    headers['content-type'] = 'application/json';
  } else if (c.body.kind === 'raw') {
    payload = c.body.text;
    if (c.body.contentType !== null) headers['content-type'] = c.body.contentType;
  }
  return {
    method: route.method,
    url: query === '' ? url : `${url}?${query}`,
    headers,
    ...(payload === undefined ? {} : { payload }),
    values,
  };
}

export function describeRequest(req: RenderedRequest, auth: FuzzCase['auth']): string {
  const { authorization: _auth, ...headers } = req.headers;
  const who =
    auth === 'admin'
      ? 'admin key'
      : auth === 'tenant'
        ? 'main tenant token'
        : `authorization: ${auth.header === null ? 'none' : shorten(JSON.stringify(auth.header), 80)}`;
  const lines = [`${req.method} ${shorten(req.url, 300)}   (${who})`];
  if (Object.keys(headers).length > 0) lines.push(`headers: ${shorten(JSON.stringify(headers), 300)}`);
  if (req.payload !== undefined) {
    lines.push(`body (${Buffer.byteLength(req.payload)} bytes): ${shorten(req.payload)}`);
  }
  return lines.join('\n');
}
