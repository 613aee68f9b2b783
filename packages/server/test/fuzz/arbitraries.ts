/**
 * JSON Schema → fast-check: the generators every route's body, params and
 * query string are fuzzed with, read from the same schemas that validate the
 * requests (as /openapi.json publishes them). A new field or route is fuzzed
 * without anyone writing a generator for it.
 *
 * `hostile: false` gives values the schema accepts (boundaries included:
 * an integer without a maximum may well be 1e20); `hostile: true` makes any
 * node, now and then, something the schema or the server should refuse.
 * Hostile alternatives come second in every `oneof`, so shrinking walks
 * back to valid values and a counterexample keeps only the hostility that
 * matters.
 */
import fc from 'fast-check';
import type { Hint, ObjectHint } from './hints.ts';
import {
  deepValues,
  hostileNumber,
  hostileString,
  longStrings,
  UNKNOWN_KEYS,
  WRONG_TYPES,
} from './hostile.ts';
import { integerNode, type JsonSchema, numberNode, stringNode } from './leaves.ts';
import { Repeat } from './values.ts';

export type { JsonSchema } from './leaves.ts';

export interface GenOptions {
  hostile: boolean;
  /** Realistic values by property name (`url`, `endpointId`…), mixed in with the schema's own. */
  hints: Readonly<Record<string, Hint>>;
  /** Realistic values for fields that go together (a schema and its example), by the object's keys. */
  objectHints?: readonly ObjectHint[];
  /** Resolves `$ref`s (the OpenAPI document's components). */
  resolveRef?: (ref: string) => JsonSchema | undefined;
}

const MAX_DEPTH = 6;

export function schemaArbitrary(schema: JsonSchema, opts: GenOptions, depth = 0): fc.Arbitrary<unknown> {
  const valid = validNode(schema, opts, depth);
  if (!opts.hostile) return valid;
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: hostileNode(schema, opts, depth) },
  );
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type === undefined ? [] : [schema.type];
}

function validNode(schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  if (schema.$ref !== undefined) {
    const target = opts.resolveRef?.(schema.$ref);
    return target ? validNode(target, opts, depth) : anyJson(opts, depth);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0)
    return fc.oneof(...branches.map((b) => schemaArbitrary(b, opts, depth)));
  if (schema.allOf && schema.allOf.length > 0)
    return validNode(Object.assign({}, ...schema.allOf), opts, depth);
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => validNode({ ...schema, type }, opts, depth)));
  switch (types[0]) {
    case 'object':
      return withObjectHints(objectNode(schema, opts, depth), schema, opts);
    case 'array':
      return arrayNode(schema, opts, depth);
    case 'string':
      return stringNode(schema);
    case 'integer':
      return integerNode(schema);
    case 'number':
      return numberNode(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return anyJson(opts, depth);
  }
}

/** Any JSON value (a schema of `{}`: event data, examples, payloads). */
function anyJson(opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  const plain = fc.jsonValue({ maxDepth: Math.max(0, 3 - depth) });
  if (!opts.hostile) return plain;
  return fc.oneof(
    { weight: 4, arbitrary: plain },
    { weight: 1, arbitrary: hostileString() },
    { weight: 1, arbitrary: hostileNumber() },
    { weight: 1, arbitrary: deepValues() },
  );
}

export function withHint(
  own: fc.Arbitrary<unknown>,
  hint: Hint | undefined,
  hostile: boolean,
): fc.Arbitrary<unknown> {
  if (!hint) return own;
  if (!hostile) return fc.oneof({ weight: 4, arbitrary: hint.good }, { weight: 1, arbitrary: own });
  return fc.oneof(
    { weight: 2, arbitrary: hint.good },
    { weight: 2, arbitrary: hint.bad },
    { weight: 1, arbitrary: own },
  );
}

function property(name: string, schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  return withHint(schemaArbitrary(schema, opts, depth), opts.hints[name], opts.hostile);
}

const ABSENT = Symbol('absent');

function objectHintsFor(schema: JsonSchema, opts: GenOptions): readonly ObjectHint[] {
  const props = schema.properties ?? {};
  return (opts.objectHints ?? []).filter((h) => h.keys.every((k) => k in props));
}

const merged = ([own, pair]: [unknown, Record<string, unknown>]) => ({ ...(own as object), ...pair });

function withObjectHints(
  own: fc.Arbitrary<unknown>,
  schema: JsonSchema,
  opts: GenOptions,
): fc.Arbitrary<unknown> {
  const hints = objectHintsFor(schema, opts);
  if (hints.length === 0) return own;
  const pairs = hints.map((h) => fc.tuple(own, opts.hostile ? fc.oneof(h.good, h.bad) : h.good).map(merged));
  return fc.oneof({ weight: 2, arbitrary: own }, ...pairs);
}

function objectNode(
  schema: JsonSchema,
  opts: GenOptions,
  depth: number,
  focus?: { name: string; value: fc.Arbitrary<unknown> },
): fc.Arbitrary<unknown> {
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  if (depth >= MAX_DEPTH) {
    return fc.constant(Object.fromEntries((schema.required ?? []).map((k) => [k, null])));
  }
  const required = new Set(schema.required ?? []);
  const optional = names.filter((n) => !required.has(n)).length;
  // About three optional fields per object: with all twenty of an endpoint's, some pair nearly always
  // conflicts and the handler is never reached. Absent comes first, so shrinking drops fields.
  const absentWeight = Math.max(1, Math.round(optional / 3) - 1);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) {
    if (focus?.name === name) {
      model[name] = focus.value;
      continue;
    }
    const value = property(name, props[name]!, opts, depth + 1);
    model[name] = required.has(name)
      ? value
      : fc.oneof({ weight: absentWeight, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: value });
  }
  const declared = fc
    .record(model, { noNullPrototype: true })
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
  const extra = schema.additionalProperties;
  // A schema that declares no properties is a map (headers, metadata): give it some keys.
  if (names.length > 0 || extra === false) return declared;
  const values = typeof extra === 'object' ? extra : {};
  const keys = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('X-Correlation-Id', 'a'));
  return fc
    .dictionary(keys, schemaArbitrary(values, opts, depth + 1), { maxKeys: 3, noNullPrototype: true })
    .map((d) => ({ ...d }));
}

/**
 * A value with exactly one hostile spot, the rest valid: one bad field deep
 * inside an otherwise acceptable request is what gets past validation's
 * first refusal to the code behind it.
 */
export function focusedArbitrary(schema: JsonSchema, opts: GenOptions, depth = 0): fc.Arbitrary<unknown> {
  const valid = { ...opts, hostile: false };
  const target = schema.$ref !== undefined ? opts.resolveRef?.(schema.$ref) : schema;
  if (!target) return hostileNode({}, opts, depth);
  const branches = target.anyOf ?? target.oneOf;
  if (branches && branches.length > 0)
    return fc.oneof(...branches.map((b) => focusedArbitrary(b, opts, depth)));
  const here = hostileNode(target, opts, depth);
  const type = typesOf(target)[0];
  const names = Object.keys(target.properties ?? {});
  if (type === 'object' && names.length > 0 && depth < MAX_DEPTH) {
    const inside = names.map((name) => {
      const hint = opts.hints[name];
      const spot = focusedArbitrary(target.properties![name]!, opts, depth + 1);
      const value = hint ? fc.oneof(hint.bad, spot) : spot;
      return objectNode(target, valid, depth, { name, value });
    });
    // A pair of fields that attack together (a slow schema and the example that shows it) is one spot too.
    const pairs = objectHintsFor(target, opts).map((h) =>
      fc.tuple(objectNode(target, valid, depth), h.bad).map(merged),
    );
    return fc.oneof(
      { weight: 1, arbitrary: here },
      { weight: 3, arbitrary: fc.oneof(...inside) },
      ...pairs.map((arbitrary) => ({ weight: 2, arbitrary })),
    );
  }
  if (type === 'array' && depth < MAX_DEPTH) {
    const item = schemaArbitrary(target.items ?? {}, valid, depth + 1);
    const bad = focusedArbitrary(target.items ?? {}, opts, depth + 1);
    const inside = fc
      .tuple(fc.array(item, { maxLength: 2 }), bad, fc.array(item, { maxLength: 1 }))
      .map(([before, one, after]) => [...before, one, ...after]);
    return fc.oneof(here, inside);
  }
  return here;
}

function arrayNode(schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  const item = schemaArbitrary(schema.items ?? {}, opts, depth + 1);
  const minLength = schema.minItems ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
  const small = fc.array(item, { minLength, maxLength });
  if (schema.maxItems === undefined || schema.maxItems <= 3) return small;
  const full = item.map((one) => new Repeat(one, schema.maxItems!));
  return fc.oneof({ weight: 12, arbitrary: small }, { weight: 1, arbitrary: full });
}

const wrongType = () => fc.constantFrom(...WRONG_TYPES);

function hostileNode(schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  const type = typesOf(schema)[0];
  const shared = [
    { weight: 2, arbitrary: wrongType() },
    { weight: 1, arbitrary: deepValues() },
  ];
  switch (type) {
    case 'string':
      return fc.oneof({ weight: 6, arbitrary: hostileString(schema.maxLength) }, ...shared, {
        weight: 1,
        arbitrary: hostileNumber(),
      });
    case 'integer':
    case 'number':
      return fc.oneof({ weight: 6, arbitrary: hostileNumber() }, ...shared, {
        weight: 1,
        arbitrary: fc.constantFrom('5', '1e20', ''),
      });
    case 'object':
      return fc.oneof({ weight: 6, arbitrary: hostileObject(schema, opts, depth) }, ...shared);
    case 'array':
      return fc.oneof({ weight: 4, arbitrary: hostileArray(schema, opts, depth) }, ...shared);
    default:
      return fc.oneof(
        { weight: 2, arbitrary: hostileString() },
        { weight: 2, arbitrary: hostileNumber() },
        ...shared,
        { weight: 1, arbitrary: longStrings() },
      );
  }
}

/** Sets an own property, `__proto__` included (plain assignment would change the prototype instead). */
function withOwn(obj: unknown, key: string, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(obj as Record<string, unknown>) };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function hostileObject(schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  const valid = objectNode(schema, { ...opts, hostile: false }, depth);
  const unknown = fc
    .tuple(valid, fc.constantFrom(...UNKNOWN_KEYS), anyJson(opts, depth + 1))
    .map(([o, k, v]) => withOwn(o, k, v));
  const required = schema.required ?? [];
  if (required.length === 0) return unknown;
  const missing = fc.tuple(valid, fc.nat({ max: required.length - 1 })).map(([o, i]) => {
    const out = { ...(o as Record<string, unknown>) };
    delete out[required[i]!];
    return out;
  });
  return fc.oneof(unknown, missing);
}

function hostileArray(schema: JsonSchema, opts: GenOptions, depth: number): fc.Arbitrary<unknown> {
  const item = schemaArbitrary(schema.items ?? {}, opts, depth + 1);
  const options: fc.Arbitrary<unknown>[] = [fc.array(item, { minLength: 1, maxLength: 3 })];
  if (schema.maxItems !== undefined) options.push(item.map((one) => new Repeat(one, schema.maxItems! + 1)));
  if ((schema.minItems ?? 0) > 0) options.push(fc.constant([]));
  return fc.oneof(...options);
}
