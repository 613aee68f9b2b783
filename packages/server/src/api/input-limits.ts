/**
 * Request content no store can keep, refused the same way on both stores and
 * for the HTTP API and embedding alike:
 * - JSON nested deeper than MAX_JSON_DEPTH levels. Found by a linear scan of
 *   the text before it is parsed: every recursive step after parsing
 *   (validation, matching, filters) could otherwise overflow the stack.
 * - Text with U+0000: PostgreSQL `text` cannot hold it (SQLite can, so the
 *   stores would disagree), and it reaches the store in names, ids, keys and
 *   metadata; refused in event data too, so no part of a request is special.
 * - Lone UTF-16 surrogates (`"\ud800"`): not Unicode text; both stores
 *   silently replace them with U+FFFD, so what was read back would differ
 *   from what was sent (and two different keys could become the same).
 * - Numbers beyond what a double holds (`1e400`): JSON.parse makes them
 *   Infinity, which is stored as `null`.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { HeraldError } from '../domain/errors.ts';

export const MAX_JSON_DEPTH = 64;

/** True when the JSON text opens more than `max` arrays/objects inside one another. */
export function jsonDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, `\"` included: skip it.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

export function tooDeepError(root: string): HeraldError {
  const message = `is nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects inside one another); flatten the data, or send a deeper structure as a JSON string`;
  return new HeraldError('validation_failed', `${root} ${message}; nothing was stored`, [
    { path: root, message },
  ]);
}

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** null when the text can be stored as sent, else what is wrong and how to fix it. */
export function unstorableText(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (found === null) return null;
  if (found[0] === '\0') {
    return 'must not contain the NUL character (U+0000), which cannot be stored; remove it, or send binary data as base64';
  }
  const unit = found[0].charCodeAt(0).toString(16);
  return `must not contain a lone UTF-16 surrogate (\\u${unit}), which is not Unicode text; send well-formed UTF-8`;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

const NON_FINITE = 'must be a number a double can hold (at most ±1.7976931348623157e308)';
const TOO_DEEP = `is nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects inside one another)`;

interface Found {
  /** Path segments, innermost first (built only on the way out of a failure). */
  segments: string[];
  message: string;
}

// Recursive (the fastest walk: this runs on every request), bounded by the
// nesting limit, which every JSON body has passed before it gets here.
function visit(value: unknown, depth: number): Found | null {
  if (typeof value === 'string') {
    const message = unstorableText(value);
    return message === null ? null : { segments: [], message };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : { segments: [], message: NON_FINITE };
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_JSON_DEPTH) return { segments: [], message: TOO_DEEP };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = visit(value[i], depth + 1);
      if (found !== null) {
        found.segments.push(String(i));
        return found;
      }
    }
    return null;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    // A bad name is reported at its object: echoing it in a path would carry the character along.
    const message = unstorableText(key);
    if (message !== null) return { segments: [], message: `property names ${message}` };
    const found = visit(object[key], depth + 1);
    if (found !== null) {
      found.segments.push(escapePointer(key));
      return found;
    }
  }
  return null;
}

/**
 * The first string (property names included) or number that cannot be
 * stored, as a JSON pointer and a message.
 */
export function findUnstorableText(value: unknown): { pointer: string; message: string } | null {
  const found = visit(value, 0);
  if (found === null) return null;
  const pointer = found.segments
    .reverse()
    .map((s) => `/${s}`)
    .join('');
  return { pointer, message: found.message };
}

export type StorableTextValidator = ((data: unknown, context?: unknown) => boolean) & {
  errors?: ErrorObject[] | null;
  schemaEnv?: unknown;
};

/**
 * A route validator that also refuses unstorable text in its part of the
 * request (body, params, query or headers), reported like any schema error so
 * the answer names the field: `params.tid`, `query.type`, `body.data.note`.
 */
export function withStorableText(validate: ValidateFunction): StorableTextValidator {
  const wrapped: StorableTextValidator = (data, context) => {
    const valid = validate(data, context as Parameters<ValidateFunction>[1]);
    const problem = findUnstorableText(data);
    if (problem === null) {
      wrapped.errors = validate.errors ?? null;
      return valid;
    }
    const textError: ErrorObject = {
      instancePath: problem.pointer,
      schemaPath: '#',
      keyword: 'storableText',
      params: {},
      message: problem.message,
    };
    wrapped.errors = [...(valid ? [] : (validate.errors ?? [])), textError];
    return false;
  };
  // Fastify passes the request as parent data only to validators that carry
  // Ajv's schemaEnv, which lets defaults and coercion reach the root value.
  wrapped.schemaEnv = validate.schemaEnv;
  return wrapped;
}
