/**
 * Event-type schemas cannot cost more than their size says: a `$ref` bomb is
 * refused when saved (and per event if stored before), `uniqueItems` still
 * means JSON equality but in linear time, and error lists are bounded.
 */
import { describe, expect, it } from 'vitest';
import { createPayloadSchemas } from '../../src/delivery/payload-schemas.ts';
import { MAX_PAYLOAD_ERRORS } from '../../src/delivery/schema-guards.ts';
import type { EventType } from '../../src/domain/types.ts';

function bomb(levels: number): Record<string, unknown> {
  const defs: Record<string, unknown> = { d0: { not: {} } };
  for (let i = 1; i <= levels; i++)
    defs[`d${i}`] = { allOf: [{ $ref: `#/$defs/d${i - 1}` }, { $ref: `#/$defs/d${i - 1}` }] };
  return { $defs: defs, $ref: `#/$defs/d${levels}` };
}

let updatedAt = 0;
/** A catalog entry of its own each time: compiled schemas are cached by name, version and updatedAt. */
const typeWith = (schema: Record<string, unknown>): EventType =>
  ({ name: 'x.y', updatedAt: ++updatedAt, versions: [{ version: 1, schema }] }) as unknown as EventType;

describe('event-type schema guards', () => {
  const schemas = createPayloadSchemas();

  it('refuses a $ref bomb when saved, and names the problem', () => {
    expect(schemas.checkSchema(bomb(3))).toBeNull();
    expect(schemas.checkSchema(bomb(20))).toMatch(/\$ref references expanded, is larger than/);
  });

  it('refuses events of a bomb stored before the check, with a bounded answer', () => {
    const problems = schemas.validate(typeWith(bomb(20)), 1, {});
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/cannot be checked/);
  });

  it('still accepts recursive schemas (a tree), whose cost the data bounds', () => {
    const tree = {
      $defs: {
        node: {
          type: 'object',
          properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
      $ref: '#/$defs/node',
    };
    expect(schemas.checkSchema(tree)).toBeNull();
    expect(schemas.validate(typeWith(tree), 1, { children: [{ children: [] }] })).toEqual([]);
  });

  it('keeps uniqueItems meaning JSON equality (key order aside), for large arrays too', () => {
    const type = typeWith({ type: 'array', uniqueItems: true });
    expect(
      schemas.validate(type, 1, [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ]),
    ).toEqual([{ path: 'data', message: 'must NOT have duplicate items' }]);
    expect(schemas.validate(type, 1, [[1], [2], 1, '1'])).toEqual([]);
    const big = Array.from({ length: 30_000 }, (_, i) => [i]);
    expect(schemas.validate(type, 1, big)).toEqual([]);
    expect(schemas.validate(type, 1, [...big, [7]])).toHaveLength(1);
  });

  it('refuses patternProperties and enum wide enough to multiply by the data', () => {
    const patterns = Object.fromEntries(
      Array.from({ length: 2_000 }, (_, i) => [`^p${i}x`, { type: 'string' }]),
    );
    expect(schemas.checkSchema({ type: 'object', patternProperties: patterns })).toMatch(
      /2000 patterns; use at most 64/,
    );
    expect(schemas.checkSchema({ enum: Array.from({ length: 5_000 }, (_, i) => ({ v: i })) })).toMatch(
      /enum has 5000 entries/,
    );
    expect(schemas.checkSchema({ type: 'object', patternProperties: { '^a': {}, '^b': {} } })).toBeNull();
  });

  it('cuts long error lists', () => {
    const schema = { type: 'array', items: { type: 'string' } };
    const problems = schemas.validate(
      typeWith(schema),
      1,
      Array.from({ length: 500 }, (_, i) => i),
    );
    expect(problems).toHaveLength(MAX_PAYLOAD_ERRORS);
  });
});
