/**
 * Event type subscription patterns, as an endpoint's `eventTypes` lists them:
 *
 * - `device.enrolled`   that type exactly;
 * - `device.*`          `*` as the LAST segment matches one or more whole
 *                       segments: `device.enrolled`, `device.battery.low`
 *                       (not `device` itself);
 * - `*.deleted`         `*` anywhere else matches exactly one segment:
 *                       `user.deleted`, not `user.profile.deleted`;
 * - `*`                 every type;
 * - `sensor.reading@2`  pins version 2; a pattern without `@` matches every
 *                       version. Pins combine with wildcards: `sensor.*@2`.
 *
 * Wildcards are whole segments only (`dev*` is refused) so that a pattern
 * never matches more than its author can read off it. Matching is
 * case-sensitive, like event type names. An empty list matches nothing;
 * `null` (no list) matches everything.
 */

export const MAX_PATTERNS = 100;
export const MAX_PATTERN_LENGTH = 140;

const SEGMENT = /^(\*|[A-Za-z0-9_-]+)$/;
const VERSION = /^[1-9][0-9]{0,8}$/;

export interface ParsedPattern {
  segments: string[];
  version: number | null;
}

/** A pattern's segments and version pin, or a message saying what is wrong with it. */
export function parsePattern(pattern: string): ParsedPattern | string {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    return 'an event type pattern must be a non-empty string, e.g. "device.*"';
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `event type pattern is ${pattern.length} characters long; use at most ${MAX_PATTERN_LENGTH}`;
  }
  const at = pattern.indexOf('@');
  const body = at === -1 ? pattern : pattern.slice(0, at);
  const pin = at === -1 ? null : pattern.slice(at + 1);
  if (pin !== null && !VERSION.test(pin)) {
    return `event type pattern '${pattern}': the version after '@' must be a positive integer, e.g. "sensor.reading@2"`;
  }
  const segments = body.split('.');
  for (const segment of segments) {
    if (!SEGMENT.test(segment)) {
      return (
        `event type pattern '${pattern}' is not valid: use dot-separated names or '*' for whole segments, ` +
        `e.g. "device.enrolled", "device.*", "*.deleted", "sensor.reading@2"`
      );
    }
  }
  return { segments, version: pin === null ? null : Number(pin) };
}

export function validateEventTypePatterns(patterns: string[]): string | null {
  if (!Array.isArray(patterns)) {
    return 'eventTypes must be a list of patterns such as ["device.*"], or null for every type';
  }
  if (patterns.length > MAX_PATTERNS) {
    return `eventTypes has ${patterns.length} patterns; use at most ${MAX_PATTERNS} (wildcards such as "device.*" cover many types)`;
  }
  for (const pattern of patterns) {
    const parsed = parsePattern(pattern);
    if (typeof parsed === 'string') return parsed;
  }
  return null;
}

/** The regexp source (unanchored) that matches type names as `segments` do; no version. */
export function segmentsToRegExpSource(segments: string[]): string {
  return segments
    .map((segment, i) => {
      if (segment !== '*') return segment; // names hold no regexp metacharacters ('-' is literal outside [])
      return i === segments.length - 1 ? '[^.]+(?:\\.[^.]+)*' : '[^.]+';
    })
    .join('\\.');
}

/**
 * Compiles patterns once (per endpoint) into a predicate. Exact names go to a
 * Set lookup; wildcards become one anchored regexp per version pin.
 * Patterns are assumed valid (see validateEventTypePatterns); invalid ones
 * match nothing.
 */
export function compilePatterns(patterns: string[] | null): (type: string, version: number) => boolean {
  if (patterns === null) return () => true;

  const exactAny = new Set<string>();
  const exactPinned = new Set<string>(); // `${type}@${version}`
  const wildAny: string[] = [];
  const wildPinned = new Map<number, string[]>();

  for (const pattern of patterns) {
    const parsed = parsePattern(pattern);
    if (typeof parsed === 'string') continue;
    const hasWildcard = parsed.segments.includes('*');
    const name = parsed.segments.join('.');
    if (!hasWildcard) {
      if (parsed.version === null) exactAny.add(name);
      else exactPinned.add(`${name}@${parsed.version}`);
      continue;
    }
    const source = segmentsToRegExpSource(parsed.segments);
    if (parsed.version === null) {
      wildAny.push(source);
    } else {
      const list = wildPinned.get(parsed.version) ?? [];
      list.push(source);
      wildPinned.set(parsed.version, list);
    }
  }

  const toRegExp = (sources: string[]): RegExp | null =>
    sources.length === 0 ? null : new RegExp(`^(?:${sources.join('|')})$`);
  const anyRe = toRegExp(wildAny);
  const pinnedRe = new Map<number, RegExp>();
  for (const [version, sources] of wildPinned) pinnedRe.set(version, toRegExp(sources)!);

  return (type, version) => {
    if (exactAny.has(type)) return true;
    if (exactPinned.size > 0 && exactPinned.has(`${type}@${version}`)) return true;
    if (anyRe?.test(type)) return true;
    return pinnedRe.get(version)?.test(type) ?? false;
  };
}

// Endpoints keep the same `eventTypes` array between reads from the endpoint
// cache, so compiling once per array makes matching cheap on the hot path.
const compiled = new WeakMap<string[], (type: string, version: number) => boolean>();

export function matchesEventType(patterns: string[] | null, type: string, version: number): boolean {
  if (patterns === null) return true;
  let predicate = compiled.get(patterns);
  if (predicate === undefined) {
    predicate = compilePatterns(patterns);
    compiled.set(patterns, predicate);
  }
  return predicate(type, version);
}
