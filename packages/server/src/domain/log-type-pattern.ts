/**
 * The delivery log's event type filter: an exact type (`order.created`) or a
 * pattern in the syntax endpoints subscribe with (see patterns.ts):
 * `order.*` (one or more trailing segments), `*.created` (one segment), `*`.
 * Attempts record the type but not the version, so version pins (`@2`) are
 * refused here rather than silently ignored.
 *
 * Stores match a pattern as one anchored regular expression, which
 * JavaScript (SQLite's registered function) and PostgreSQL (`~`) read alike:
 * names hold only letters, digits, `_` and `-`, so the source has no
 * metacharacter either dialect reads differently.
 */
import { MAX_PATTERN_LENGTH, parsePattern, segmentsToRegExpSource } from './patterns.ts';

export type LogTypeMatch =
  /** No condition: `*` matches every type. */
  | { kind: 'any' }
  | { kind: 'exact'; type: string }
  | {
      kind: 'pattern';
      /** Anchored: `^(?:order\.[^.]+(?:\.[^.]+)*)$`. */
      regexp: string;
      /**
       * The leading literal segments with their dot (`order.` for `order.*`),
       * '' when the pattern starts with `*`: a range condition an index can
       * use before the regexp runs.
       */
      prefix: string;
    };

const EXAMPLES = 'e.g. order.created, order.* or *.created';

/**
 * How to match `pattern`, or what is wrong with it and how to fix it, worded
 * to follow the field's name ("eventType must not be empty: …").
 */
export function logTypeMatch(pattern: string): LogTypeMatch | string {
  if (pattern.length === 0) return `must not be empty: give an event type or a pattern, ${EXAMPLES}`;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `is ${pattern.length} characters long; an event type or pattern has at most ${MAX_PATTERN_LENGTH}`;
  }
  const parsed = parsePattern(pattern);
  if (typeof parsed === 'string') {
    return (
      `'${pattern}' is not an event type or pattern: use dot-separated names of letters, digits, ` +
      `'_' and '-', with '*' for a whole segment, ${EXAMPLES}`
    );
  }
  if (parsed.version !== null) {
    const bare = pattern.slice(0, pattern.indexOf('@'));
    return `'${pattern}' pins a version, which the log does not record: filter by '${bare}'`;
  }
  const { segments } = parsed;
  if (!segments.includes('*')) return { kind: 'exact', type: segments.join('.') };
  if (segments.length === 1) return { kind: 'any' };
  const literal: string[] = [];
  for (const segment of segments) {
    if (segment === '*') break;
    literal.push(segment);
  }
  return {
    kind: 'pattern',
    regexp: `^(?:${segmentsToRegExpSource(segments)})$`,
    prefix: literal.length === 0 ? '' : `${literal.join('.')}.`,
  };
}

/**
 * The smallest string greater than every string starting with `prefix`, in
 * byte order (both stores compare these columns bytewise): the prefix with
 * its last character raised by one. Prefixes are printable ASCII.
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
