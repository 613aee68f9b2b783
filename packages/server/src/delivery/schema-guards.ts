/**
 * What keeps an event type's JSON Schema (written by an API user, run
 * against every event of the type) from costing more than its size says:
 *
 * - `$ref` sharing can make a 1 KiB schema stand for a million checks
 *   (`d1: allOf [d0, d0]`, `d2: allOf [d1, d1]`, …), each failing check one
 *   error: a schema whose references expand past MAX_EXPANDED_NODES is
 *   refused when it is saved.
 * - Ajv's own `uniqueItems` compares every pair of items (quadratic: 30,000
 *   small arrays took seconds); this one compares canonical JSON texts in a
 *   set, linear in the array's size.
 * - `patternProperties` and `enum` multiply by the data's size: at most
 *   MAX_PATTERN_PROPERTIES patterns per object and MAX_ENUM_ENTRIES entries.
 * - Error lists are cut at MAX_PAYLOAD_ERRORS.
 */
import type { Ajv } from 'ajv';

export const MAX_EXPANDED_NODES = 20_000;
/** Each property of an object is matched against every pattern: the cost is patterns × properties. */
export const MAX_PATTERN_PROPERTIES = 64;
/** Each value is compared with every `enum` entry. */
export const MAX_ENUM_ENTRIES = 1_000;
export const MAX_PAYLOAD_ERRORS = 100;

/** null when the schema, references expanded, stays within MAX_EXPANDED_NODES; else why not. */
export function schemaTooComplex(schema: unknown): string | null {
  let budget = MAX_EXPANDED_NODES;
  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#')) return undefined;
    let node: unknown = schema;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
    return node;
  };
  // `path` holds the references being expanded: a recursive schema (a tree) is followed once,
  // as its cost is bounded by the data's depth, not by the schema.
  let tooWide: string | null = null;
  const walk = (node: unknown, path: Set<string>): boolean => {
    if (--budget < 0) return false;
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      const { patternProperties, enum: entries } = node as Record<string, unknown>;
      if (patternProperties !== null && typeof patternProperties === 'object') {
        const count = Object.keys(patternProperties).length;
        if (count > MAX_PATTERN_PROPERTIES) {
          tooWide = `patternProperties has ${count} patterns; use at most ${MAX_PATTERN_PROPERTIES} (every property is matched against each)`;
          return false;
        }
      }
      if (Array.isArray(entries) && entries.length > MAX_ENUM_ENTRIES) {
        tooWide = `enum has ${entries.length} entries; use at most ${MAX_ENUM_ENTRIES}`;
        return false;
      }
    }
    if (Array.isArray(node)) return node.every((item) => walk(item, path));
    if (node === null || typeof node !== 'object') return true;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && !path.has(value)) {
        path.add(value);
        const ok = walk(resolve(value), path);
        path.delete(value);
        if (!ok) return false;
      } else if (!walk(value, path)) return false;
    }
    return true;
  };
  if (walk(schema, new Set())) return null;
  return (
    tooWide ??
    `the schema, with its $ref references expanded, is larger than ${MAX_EXPANDED_NODES} nodes; simplify it (references that each point at two or more others multiply)`
  );
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Replaces Ajv's quadratic `uniqueItems` with a linear one (same meaning: JSON equality). */
export function useLinearUniqueItems(ajv: Ajv): void {
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    error: { message: 'must NOT have duplicate items' },
    validate: (unique: boolean, data: unknown[]) => {
      if (!unique) return true;
      const seen = new Set<string>();
      for (const item of data) {
        const text = canonical(item);
        if (seen.has(text)) return false;
        seen.add(text);
      }
      return true;
    },
  });
}
