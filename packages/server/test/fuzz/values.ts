/**
 * Values a generated request carries that JSON.stringify alone cannot write:
 * references to seeded rows (resolved when the case runs, so a shrunk or
 * replayed case still points at a live row), very long strings and arrays
 * (kept small until serialized, so fast-check prints and shrinks them
 * cheaply), JSON nested thousands of levels deep (written as text, so no
 * stack limits it), and number literals JSON.parse turns into Infinity or
 * rounds.
 */
import fc from 'fast-check';

export type RefKind =
  | 'tenant'
  | 'endpoint'
  | 'event'
  | 'job'
  | 'token'
  | 'attempt'
  | 'resource'
  | 'eventType'
  | 'adminKey'
  /** A string new in this case (`fresh-<case>-<index>`): unused ids and keys that may still repeat within one request. */
  | 'fresh';

/** `main` is the tenant requests are made for; `other` is a tenant whose ids must stay out of reach. */
export type Owner = 'main' | 'other';

export class Ref {
  constructor(
    readonly kind: RefKind,
    readonly owner: Owner,
    readonly index: number,
  ) {}
  [fc.toStringMethod](): string {
    return `ref(${this.kind}:${this.owner}#${this.index})`;
  }
}

/** `unit` repeated `count` times. */
export class Long {
  constructor(
    readonly unit: string,
    readonly count: number,
  ) {}
  toJSON(): string {
    return this.unit.repeat(this.count);
  }
  [fc.toStringMethod](): string {
    return `long(${JSON.stringify(this.unit)}×${this.count})`;
  }
}

/**
 * Past the body limit is past it: text longer than this only costs memory
 * (a thousand copies of a 256 KB string would not fit in a JS string at all).
 */
const MAX_TEXT = 1_048_576;

/** An array of `count` copies of `item` (fewer when that much text would be far past any body limit). */
export class Repeat {
  constructor(
    readonly item: unknown,
    readonly count: number,
  ) {}
  toJSON(): unknown[] {
    const size = (JSON.stringify(this.item) ?? 'null').length + 1;
    return new Array(Math.min(this.count, Math.ceil(MAX_TEXT / size))).fill(this.item);
  }
  [fc.toStringMethod](): string {
    return `repeat(${fc.stringify(this.item)}×${this.count})`;
  }
}

/** `[[0],[1],…]`: `count` distinct small arrays (what makes an O(n²) uniqueness check slow). */
export class Sequence {
  constructor(readonly count: number) {}
  toJSON(): number[][] {
    return Array.from({ length: this.count }, (_, i) => [i]);
  }
  [fc.toStringMethod](): string {
    return `sequence([0],[1],…×${this.count})`;
  }
}

/** `{"k0":0,"k1":1,…}`: an object with `count` properties. */
export class ManyKeys {
  constructor(readonly count: number) {}
  toJSON(): Record<string, number> {
    return Object.fromEntries(Array.from({ length: this.count }, (_, i) => [`k${i}`, i]));
  }
  [fc.toStringMethod](): string {
    return `manyKeys(k0…k${this.count - 1})`;
  }
}

// JSON.stringify escapes U+0000 and U+0001, so this marker survives into the text and is unlikely to be data.
const MARK = '\u0000\u0001';
const MARK_TEXT = /"\\u0000\\u0001(deep|num):([^"\\]*)\\u0001"/g;

/** `[[[…]]]` or `{"a":{"a":…1}}`, `depth` levels. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly shape: 'array' | 'object',
  ) {}
  toJSON(): string {
    return `${MARK}deep:${this.depth}.${this.shape}\u0001`;
  }
  [fc.toStringMethod](): string {
    return `deep(${this.shape}×${this.depth})`;
  }
}

/** A number written exactly as `text` (`1e400`, `9007199254740993`). */
export class RawNumber {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `${MARK}num:${this.text}\u0001`;
  }
  [fc.toStringMethod](): string {
    return `num(${this.text})`;
  }
}

export function deepText(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The JSON text of a generated value, markers expanded. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(MARK_TEXT, (_all, kind: string, arg: string) => {
    if (kind === 'num') return arg;
    const [depth, shape] = arg.split('.');
    return deepText(Number(depth), shape === 'object' ? 'object' : 'array');
  });
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Replaces every Ref inside `value` (Repeat items included) with what `resolve` says. */
export function resolveRefs(value: unknown, resolve: (ref: Ref) => string): unknown {
  if (value instanceof Ref) return resolve(value);
  if (value instanceof Repeat) return new Repeat(resolveRefs(value.item, resolve), value.count);
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, resolve));
  if (value !== null && typeof value === 'object' && isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // An own `__proto__` key (a hostile one) must stay an own property, not become the prototype.
      Object.defineProperty(out, k, { value: resolveRefs(v, resolve), enumerable: true, writable: true });
    }
    return out;
  }
  return value;
}

const CONTROL_OR_LONE_SURROGATE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
  /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text short enough to read in a failure: runs of a repeated unit become
 * `⟨unit×count⟩` (a 300 KB string, 4,500 brackets), the rest is cut at `max`.
 */
export function shorten(text: string, max = 700): string {
  // Folding looks at a bounded prefix: answers can be megabytes.
  const head = text.length > max * 40 ? text.slice(0, max * 40) : text;
  const folded = head.replace(/([\s\S]{1,6}?)\1{11,}/g, (run, unit: string) => {
    return `⟨${JSON.stringify(unit)}×${run.length / unit.length}⟩`;
  });
  const safe = folded.replace(CONTROL_OR_LONE_SURROGATE, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  const rest = text.length - head.length;
  if (safe.length <= max && rest === 0) return safe;
  return `${safe.slice(0, max)}…(${text.length} chars in all)`;
}
