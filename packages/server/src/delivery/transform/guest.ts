/**
 * The JavaScript Herald itself runs inside the sandbox, around a transform,
 * and how its answers read on the host side. Plain ECMAScript, so it does
 * not depend on the engine (sandbox.ts evaluates it, in this order):
 *
 * 1. PRELUDE_SOURCE, before the transform: disables code generation from
 *    strings and evaluates to `describe(error) → JSON text`, captured before
 *    any transform code runs, so a transform cannot replace it.
 *    `describe(error, true)` gives null for the engine's own errors (QuickJS's
 *    InternalError: out of memory, stack overflow, interrupted), which the
 *    entry rethrows: the host must see those to reset the runtime.
 * 2. The transform's source, as the global script `transform.js`.
 * 3. ENTRY_SOURCE: a factory called with `(describe, maxChars)`. It returns
 *    undefined when there is no `handler` function, else the entry
 *    `(input JSON text) → answer text` that each delivery calls.
 *
 * Everything a transform can make go wrong in ordinary ways (it throws, it
 * returns no object or something JSON cannot write, the result is too big)
 * is caught here, inside the guest, and comes back as an answer text, so the
 * host never inspects a transform's values itself: a getter or a Proxy trap
 * on a thrown object runs in the guest, under the same deadline.
 */

/** The file name the transform's source is evaluated under; its stack frames name it. */
export const SOURCE_FILE = 'transform.js';
export const PRELUDE_FILE = 'herald-prelude.js';
export const ENTRY_FILE = 'herald-entry.js';

/**
 * Code generation from strings is disabled before the transform runs (and
 * so before it could keep a reference to the real constructors): a transform
 * is checked when it is saved, and what runs is exactly what was checked. It
 * also keeps the engine's parser, whose recursion is the deepest user input
 * can drive, out of reach at delivery time.
 */
export const PRELUDE_SOURCE = `(function () {
  'use strict';
  var blocked = function () {
    throw new EvalError('transforms cannot compile code at run time: eval and the Function constructors are disabled');
  };
  var kinds = [function () {}, function* () {}, async function () {}, async function* () {}];
  for (var i = 0; i < kinds.length; i++) {
    Object.defineProperty(Object.getPrototypeOf(kinds[i]), 'constructor', { value: blocked, writable: true, configurable: true });
  }
  Object.defineProperty(globalThis, 'eval', { value: blocked, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'Function', { value: blocked, writable: true, configurable: true });
  var stringify = JSON.stringify;
  var toText = String;
  var Internal = typeof InternalError === 'function' ? InternalError : null;
  function text(value, max) {
    try { return toText(value).slice(0, max); } catch (e) { return '(unprintable)'; }
  }
  return function describe(error, internalAsNull) {
    if (internalAsNull === true && Internal !== null && error instanceof Internal) return null;
    var name = '', message = '', stack = '';
    try {
      if (error instanceof Error) {
        name = text(error.name, 200); message = text(error.message, 1000); stack = text(error.stack, 2000);
      } else if (typeof error === 'string') {
        message = error.slice(0, 1000);
      } else {
        var json = stringify(error);
        message = typeof json === 'string' ? json.slice(0, 1000) : text(error, 1000);
      }
    } catch (e) {
      message = 'an exception that could not be described';
    }
    return stringify({ name: name, message: message, stack: stack });
  };
})()`;

export const ENTRY_SOURCE = `(function (describe, maxChars) {
  'use strict';
  if (typeof handler !== 'function') return undefined;
  var run = handler, parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray;
  return function (input) {
    var out, text;
    try {
      out = run(parse(input));
      if (out === null || typeof out !== 'object') return '!not-object:' + (out === null ? 'null' : typeof out);
      if (isArray(out)) return '!not-object:array';
      if (typeof out.then === 'function') return '!promise';
    } catch (e) {
      var threw = describe(e, true);
      if (threw === null) throw e;
      return '!threw:' + threw;
    }
    try {
      text = stringify(out);
    } catch (e) {
      var why = describe(e, true);
      if (why === null) throw e;
      return '!unserializable:' + why;
    }
    if (text.length > maxChars) return '!too-large:' + text.length;
    return text;
  };
})`;

/** What a transform threw, as far as it could be described. */
export interface GuestError {
  /** The Error's name (`TypeError`); empty when something other than an Error was thrown. */
  name: string;
  message: string;
  /** Where in transform.js, when the stack says. */
  line: number | null;
  column: number | null;
}

export type GuestAnswer =
  | { kind: 'json'; text: string }
  | { kind: 'threw'; error: GuestError }
  | { kind: 'not-object'; type: string }
  | { kind: 'promise' }
  | { kind: 'unserializable'; error: GuestError }
  | { kind: 'too-large'; chars: number };

const FRAME = /transform\.js:(\d+):(\d+)/;

/** A GuestError from describe()'s JSON text (anything unreadable becomes a plain message). */
export function readGuestError(json: string): GuestError {
  try {
    const raw = JSON.parse(json) as { name?: unknown; message?: unknown; stack?: unknown };
    const frame = typeof raw.stack === 'string' ? FRAME.exec(raw.stack) : null;
    return {
      name: typeof raw.name === 'string' ? raw.name : '',
      message: typeof raw.message === 'string' ? raw.message : '',
      line: frame ? Number(frame[1]) : null,
      column: frame ? Number(frame[2]) : null,
    };
  } catch {
    return { name: '', message: 'an exception that could not be described', line: null, column: null };
  }
}

/** The entry's answer: JSON text of the returned object, or a `!kind:` code. */
export function readAnswer(text: string): GuestAnswer {
  if (!text.startsWith('!')) return { kind: 'json', text };
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text.slice(1) : text.slice(1, colon);
  const rest = colon === -1 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'threw':
      return { kind: 'threw', error: readGuestError(rest) };
    case 'unserializable':
      return { kind: 'unserializable', error: readGuestError(rest) };
    case 'not-object':
      return { kind: 'not-object', type: rest };
    case 'promise':
      return { kind: 'promise' };
    case 'too-large':
      return { kind: 'too-large', chars: Number(rest) };
    default:
      return { kind: 'threw', error: readGuestError('') };
  }
}
