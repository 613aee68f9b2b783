/**
 * Transformations (DESIGN.md): an endpoint's `transform` is JavaScript
 * defining `function handler(webhook) { …; return webhook; }`, Svix's shape.
 * This is the API the rest of Herald uses; it knows nothing of the engine
 * (sandbox.ts) beyond compile and call.
 *
 * The delivery code builds the input (the body as JSON before rendering,
 * the endpoint's method, URL and custom headers), calls `run`, and on
 * success re-applies the endpoint's rules to what came back, renders and
 * signs it; on failure it records an attempt with `error.kind = "transform"`
 * and the message. `run` never throws: every failure is an outcome.
 */
import { CompiledCache } from './compiled-cache.ts';
import type { GuestError } from './guest.ts';
import { readAnswer } from './guest.ts';
import { formatBytes, readWebhook, type TransformInput } from './output.ts';
import { createSandbox } from './sandbox.ts';
import type { SandboxFailure, SandboxScript } from './sandbox-api.ts';
import { sourceProblem } from './source-limits.ts';

export type { TransformInput } from './output.ts';

export type TransformOutcome =
  | { ok: true; cancel: boolean; webhook: TransformInput; durationUs: number }
  | { ok: false; message: string; durationUs: number };

export interface TransformLimits {
  timeoutMs: number;
  memoryBytes: number;
}

export interface TransformerOptions {
  /** Compiled transforms kept at once. */
  maxCompiled: number;
  /** Heap they may hold together, by the engine's estimate (~57 KiB for a small idle transform). */
  cacheBytes: number;
  /** The returned webhook, serialized as JSON, at most this many bytes. */
  maxOutputBytes: number;
}

export interface TransformerStats {
  /** Times a source was compiled (first use, after a timeout or out-of-memory, after a sandbox restart). */
  compiles: number;
  cached: number;
  cachedBytes: number;
  /** Sandbox instances replaced after a fault or a runaway call. */
  restarts: number;
  /** Memory the sandbox holds now. */
  sandboxBytes: number;
}

export interface Transformer {
  /** null when the source compiles and defines handler(); else a message saying what is wrong (syntax error with line/column, no handler). */
  check(source: string): string | null;
  /**
   * Runs the transform compiled for `key` (e.g. `${endpointId}:${updatedAt}`), compiling it on first use;
   * compiled transforms are cached (LRU, bounded) and reused. A different source under the same key is
   * compiled afresh. Globals a transform sets may survive between runs of one key (never rely on it):
   * never share a key between tenants or endpoints.
   */
  run(key: string, source: string, input: TransformInput): TransformOutcome;
  /** Compiles, runs once and frees: for sources with no stable key ("Try it", tests of unsaved endpoints). */
  runOnce(source: string, input: TransformInput): TransformOutcome;
  stats(): TransformerStats;
  /** Resolves once the sandbox is whole again after a restart (its replacement is made in the background). */
  settled(): Promise<void>;
  close(): void;
}

export const DEFAULT_TRANSFORM_LIMITS: TransformLimits = { timeoutMs: 100, memoryBytes: 16 * 1024 * 1024 };
export const DEFAULT_TRANSFORMER_OPTIONS: TransformerOptions = {
  maxCompiled: 1000,
  cacheBytes: 64 * 1024 * 1024,
  maxOutputBytes: 1024 * 1024,
};

type Phase = 'load' | 'run';

function where(error: GuestError, withColumn: boolean): string {
  if (error.line === null) return '';
  return withColumn && error.column !== null
    ? ` (line ${error.line}, column ${error.column})`
    : ` (line ${error.line})`;
}

function named(error: GuestError): string {
  return error.name === '' ? error.message : `${error.name}: ${error.message}`;
}

function failureMessage(
  failure: SandboxFailure | { kind: 'no-handler' },
  limits: TransformLimits,
  phase: Phase,
) {
  const loading = phase === 'load' ? ' while loading (in top-level code)' : '';
  switch (failure.kind) {
    case 'no-handler':
      return 'the transform does not define function handler(webhook)';
    case 'timeout':
      return `transform timed out after ${limits.timeoutMs} ms${loading}`;
    case 'memory':
      return `transform ran out of memory (limit ${formatBytes(limits.memoryBytes)})${loading}`;
    case 'stack':
      return `transform exceeded the stack limit (recursion or nesting too deep)${loading}`;
    case 'threw':
      if (phase === 'load' && failure.error.name === 'SyntaxError')
        return `${named(failure.error)}${where(failure.error, true)}`;
      return `transform threw${loading}: ${named(failure.error)}${where(failure.error, false)}`;
    case 'crashed':
      return `the transform sandbox failed (${failure.reason}) and was restarted; the next attempt runs in a fresh one`;
    case 'unavailable':
      return `the transform sandbox is not available (${failure.reason}); try again shortly`;
  }
}

interface Compiled {
  source: string;
  script: SandboxScript | null;
  /** Why the source did not compile. */
  error: string | null;
  /**
   * The source itself is at fault (syntax, no handler, it threw while loading): kept, so a broken
   * transform is not compiled again on every attempt. A timeout or a sandbox restart may pass.
   */
  lasting: boolean;
  dispose(): void;
}

function checkLimits(limits: TransformLimits, options: TransformerOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`transform ${what}`);
  };
  if (!(limits.timeoutMs >= 1 && limits.timeoutMs <= 60_000)) bad('timeoutMs must be 1–60000');
  if (!(limits.memoryBytes >= 1024 * 1024 && limits.memoryBytes <= 512 * 1024 * 1024))
    bad('memoryBytes must be 1 MiB–512 MiB');
  if (!(options.maxCompiled >= 1)) bad('maxCompiled must be at least 1');
  if (!(options.cacheBytes >= 1024 * 1024 && options.cacheBytes <= 1024 * 1024 * 1024))
    bad('cacheBytes must be 1 MiB–1 GiB');
  if (!(options.maxOutputBytes >= 1024 && options.maxOutputBytes <= limits.memoryBytes))
    bad('maxOutputBytes must be 1 KiB up to memoryBytes');
}

export async function createTransformer(
  limitsIn: Partial<TransformLimits> = {},
  optionsIn: Partial<TransformerOptions> = {},
): Promise<Transformer> {
  const limits: TransformLimits = { ...DEFAULT_TRANSFORM_LIMITS, ...limitsIn };
  const options: TransformerOptions = { ...DEFAULT_TRANSFORMER_OPTIONS, ...optionsIn };
  checkLimits(limits, options);
  // JSON parses into several times its size: a quarter of the heap leaves room to work.
  const maxInputBytes = Math.floor(limits.memoryBytes / 4);
  const sandbox = await createSandbox({
    timeoutMs: limits.timeoutMs,
    memoryBytes: limits.memoryBytes,
    retainedBytes: options.cacheBytes,
    // UTF-16 code units never outnumber UTF-8 bytes; the byte bound is checked exactly on the host.
    maxAnswerChars: options.maxOutputBytes,
  });
  const cache = new CompiledCache<Compiled>(options.maxCompiled, options.cacheBytes);
  let closed = false;

  function compile(source: string): Compiled {
    const problem = sourceProblem(source);
    const result = problem === null ? sandbox.compile(source) : null;
    const compiled: Compiled = {
      source,
      script: result?.kind === 'compiled' ? result.script : null,
      error: problem,
      lasting:
        result === null ||
        result.kind === 'compiled' ||
        result.kind === 'threw' ||
        result.kind === 'no-handler',
      dispose() {
        this.script?.dispose();
        this.script = null;
      },
    };
    if (result && result.kind !== 'compiled') compiled.error = failureMessage(result, limits, 'load');
    return compiled;
  }

  function call(compiled: Compiled, input: TransformInput, startedAt: number): TransformOutcome {
    const durationUs = () => Math.max(0, Math.round((performance.now() - startedAt) * 1000));
    const fail = (message: string): TransformOutcome => ({ ok: false, message, durationUs: durationUs() });
    if (compiled.error !== null || compiled.script === null)
      return fail(compiled.error ?? 'the transform is not compiled');
    const text = JSON.stringify(input);
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most inputs need no exact count.
    const inputBytes = text.length * 3 <= maxInputBytes ? text.length : Buffer.byteLength(text);
    if (inputBytes > maxInputBytes) {
      return fail(
        `the webhook is ${formatBytes(inputBytes)} as JSON; a transform takes at most ${formatBytes(maxInputBytes)} ` +
          `(a quarter of its ${formatBytes(limits.memoryBytes)} memory limit)`,
      );
    }
    const result = compiled.script.call(text);
    if (result.kind !== 'answered') return fail(failureMessage(result, limits, 'run'));
    const answer = readAnswer(result.text);
    switch (answer.kind) {
      case 'threw':
        return fail(failureMessage({ kind: 'threw', error: answer.error }, limits, 'run'));
      case 'not-object':
        return fail(`the transform returned no object (${answer.type}); return the webhook`);
      case 'promise':
        return fail(
          'the transform returned a Promise: handler must return the webhook itself (no async, no await)',
        );
      case 'unserializable':
        return fail(`the returned webhook is not JSON: ${named(answer.error)}`);
      case 'too-large':
        return fail(`the transform returned more than ${formatBytes(options.maxOutputBytes)} of JSON`);
    }
    let read: ReturnType<typeof readWebhook>;
    try {
      read = readWebhook(answer.text, input, options.maxOutputBytes);
    } catch {
      return fail('the transform returned something that is not a JSON object');
    }
    if (!read.ok) return fail(read.message);
    return { ok: true, cancel: read.cancel, webhook: read.webhook, durationUs: durationUs() };
  }

  const closedOutcome = (): TransformOutcome => ({
    ok: false,
    message: 'the transformer is closed',
    durationUs: 0,
  });

  // Nothing here should throw, but a delivery must never die of a transform: anything is an outcome.
  function guard(startedAt: number, fn: () => TransformOutcome): TransformOutcome {
    try {
      return fn();
    } catch (err) {
      const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return {
        ok: false,
        message: `transform failed: ${why}`,
        durationUs: Math.round((performance.now() - startedAt) * 1000),
      };
    }
  }

  return {
    check(source) {
      if (closed) return 'the transformer is closed';
      const compiled = compile(source);
      compiled.dispose();
      return compiled.error;
    },

    run(key, source, input) {
      if (closed) return closedOutcome();
      const startedAt = performance.now();
      return guard(startedAt, () => {
        let compiled = cache.get(key);
        if (compiled === undefined || compiled.source !== source || !compiled.lasting) {
          compiled = compile(source);
          cache.set(key, compiled, compiled.script?.footprintBytes ?? 0);
        }
        const outcome = call(compiled, input, startedAt);
        if (compiled.script) cache.resize(key, compiled.script.footprintBytes);
        return outcome;
      });
    },

    runOnce(source, input) {
      if (closed) return closedOutcome();
      const startedAt = performance.now();
      return guard(startedAt, () => {
        const compiled = compile(source);
        try {
          return call(compiled, input, startedAt);
        } finally {
          compiled.dispose();
        }
      });
    },

    stats() {
      const sandboxStats = sandbox.stats();
      return {
        compiles: sandboxStats.compiles,
        cached: cache.size,
        cachedBytes: cache.bytes,
        restarts: sandboxStats.restarts,
        sandboxBytes: sandboxStats.instanceBytes,
      };
    },

    settled: () => sandbox.settled(),

    close() {
      if (closed) return;
      closed = true;
      cache.clear();
      sandbox.close();
    },
  };
}
