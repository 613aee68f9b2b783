/**
 * What a transform's source may be before any engine sees it. The nesting
 * bound is checked here, on the host, because parsing deeply nested source
 * is the engine's deepest recursion: bounding it in text keeps the parse well
 * inside the sandbox's stack, whatever the host's own stack depth.
 */

export const MAX_SOURCE_BYTES = 64 * 1024;
export const MAX_SOURCE_NESTING = 100;

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/**
 * Deepest bracket nesting, counted over the raw text with strings and
 * comments included: it can over-count (a `(` inside a string), never
 * under-count what the parser will recurse into.
 */
export function bracketDepth(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (OPEN.has(ch)) {
      depth++;
      if (depth > max) max = depth;
    } else if (CLOSE.has(ch) && depth > 0) {
      depth--;
    }
  }
  return max;
}

/** null when the source may be compiled, else why not. */
export function sourceProblem(source: string): string | null {
  if (source.trim() === '')
    return 'the transform is empty: define function handler(webhook) { …; return webhook; }';
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_SOURCE_BYTES) {
    return `the transform is ${(bytes / 1024).toFixed(1)} KiB; at most ${MAX_SOURCE_BYTES / 1024} KiB is allowed`;
  }
  const depth = bracketDepth(source);
  if (depth > MAX_SOURCE_NESTING) {
    return `the transform nests brackets ${depth} levels deep; at most ${MAX_SOURCE_NESTING} are allowed`;
  }
  return null;
}
