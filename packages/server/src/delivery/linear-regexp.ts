/**
 * JSON Schema `pattern`s matched with RE2 semantics (re2js), for every Ajv
 * instance Herald makes. JavaScript's backtracking engine takes exponential
 * time on patterns such as `^(a+)+$`, and event type schemas are written by
 * API users: one such pattern and a 31-character payload would block the
 * event loop (health checks included) for seconds. RE2 matches in time linear
 * in the input, at the price of backreferences and lookaround, which a pattern
 * that needs them is refused for when its schema is compiled.
 */
import { RE2JS } from 're2js';

/** What Ajv's `code.regExp` option takes (the type is not exported by Ajv). */
export interface RegExpEngine {
  (pattern: string, flags: string): { test(input: string): boolean };
  /** For Ajv's standalone code generation, which Herald does not use. */
  code: string;
}

const MAX_CACHED = 1000;
// Ajv instances are made per compiled schema (see payload-schemas.ts), so the
// compiled patterns are kept here: compiling costs far more than matching.
const cache = new Map<string, RE2JS>();

function compile(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    // JSON Schema patterns are ECMA-262 syntax: named groups, \uXXXX and the like are translated to RE2's.
    re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `pattern ${JSON.stringify(pattern)} cannot be used: Herald matches patterns in linear time (RE2 syntax), ` +
        `which has no backreferences (\\1) or lookaround ((?=…), (?!…), (?<=…)); rewrite it without them (${reason})`,
    );
  }
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, re);
  return re;
}

/**
 * Ajv asks for patterns with the `u` flag; RE2 always matches code points, so
 * the flag changes nothing. `toString` keys Ajv's per-schema pattern table.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, _flags: string) => {
    const re = compile(pattern);
    return { test: (input: string) => re.test(input), toString: () => `/${pattern}/` };
  },
  { code: 'linearRegExp' },
);
