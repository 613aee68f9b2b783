/**
 * Leaf values the schema accepts: strings (pattern, format, length), and
 * integers and numbers up to their bounds. The bounds themselves are
 * generated on purpose: an integer without a maximum may be 1e20, which the
 * schema allows and a database column may not hold.
 */
import fc from 'fast-check';
import { Long } from './values.ts';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  $ref?: string;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const isoTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

export function stringNode(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.format === 'date-time') return isoTime;
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  const fits = (s: string) => s.length >= min && (max === undefined || s.length <= max);
  if (schema.pattern !== undefined) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
    } catch {
      // A pattern JavaScript cannot compile: fall back to plain strings.
    }
  }
  const cap = Math.max(min, Math.min(max ?? 32, 32));
  const plain = fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: cap }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: cap }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: cap }) },
  );
  // The longest value the schema allows reaches the database: columns and indexes must take it.
  const longest = max === undefined ? [5000, 100_000] : max > cap ? [max] : [];
  if (longest.length === 0) return plain;
  return fc.oneof(
    { weight: 10, arbitrary: plain },
    { weight: 1, arbitrary: fc.constantFrom(...longest).map((n) => new Long('x', n)) },
  );
}

function bounds(schema: JsonSchema, integer: boolean): { lo?: number; hi?: number } {
  let lo = schema.minimum;
  let hi = schema.maximum;
  if (schema.exclusiveMinimum !== undefined) lo = integer ? Math.floor(schema.exclusiveMinimum) + 1 : lo;
  if (schema.exclusiveMaximum !== undefined) hi = integer ? Math.ceil(schema.exclusiveMaximum) - 1 : hi;
  return { ...(lo === undefined ? {} : { lo }), ...(hi === undefined ? {} : { hi }) };
}

export function integerNode(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { lo, hi } = bounds(schema, true);
  const min = Math.max(lo ?? -1000, INT32_MIN);
  const max = Math.min(hi ?? Math.max(min, 1000), INT32_MAX);
  const ranged = min <= max ? fc.integer({ min, max }) : fc.constant(lo ?? hi ?? 0);
  // Every integer the schema lets through, the big ones most of all (a column may not hold them).
  const edges = [lo, hi, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, 1e20, 1e308, -(2 ** 31) - 1, -1e20].filter(
    (n): n is number => n !== undefined && (lo === undefined || n >= lo) && (hi === undefined || n <= hi),
  );
  return fc.oneof({ weight: 5, arbitrary: ranged }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}

export function numberNode(schema: JsonSchema): fc.Arbitrary<unknown> {
  const { lo, hi } = bounds(schema, false);
  const ranged = fc.double({
    min: schema.exclusiveMinimum ?? lo ?? -1e6,
    max: schema.exclusiveMaximum ?? hi ?? 1e6,
    minExcluded: schema.exclusiveMinimum !== undefined,
    maxExcluded: schema.exclusiveMaximum !== undefined,
    noNaN: true,
    noDefaultInfinity: true,
  });
  const edges = [hi, lo, 1e308, 5e-324, 0.1].filter(
    (n): n is number =>
      n !== undefined &&
      (lo === undefined || n >= lo) &&
      (hi === undefined || n <= hi) &&
      (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum),
  );
  return edges.length === 0
    ? ranged
    : fc.oneof({ weight: 5, arbitrary: ranged }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}
