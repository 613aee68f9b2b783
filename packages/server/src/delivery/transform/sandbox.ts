/**
 * The sandbox transforms run in: QuickJS compiled to WebAssembly
 * (quickjs-emscripten). This is the only file that knows the engine;
 * transformer.ts sees `Sandbox` and `SandboxScript`, so another engine can
 * replace this file without touching the rest.
 *
 * - A guest has ECMAScript and nothing else: the build has no quickjs-libc
 *   (`std`, `os`), no module loader is set (`import()` rejects), and nothing
 *   of the host is passed in; values cross as JSON text only.
 * - Each compiled script has its own QuickJS runtime (its own heap, GC,
 *   limits) and context, compiled once and called once per delivery.
 * - One Sandbox's runtimes share one WebAssembly instance whose linear memory
 *   has a fixed maximum, so nothing a guest does can grow Herald's memory past
 *   it. Out of the box the build's memory grows to 2 GiB, and QuickJS's own
 *   limit cannot hold a total here (the build reports no malloc_usable_size,
 *   so the limit bounds each allocation, not their sum: quickjs-emscripten
 *   issue #271); so the deadline check also measures the runtime's heap
 *   (a millisecond apart or more), and the instance maximum backs both.
 * - An instance that faults (the host's stack overflowed inside it, or the
 *   engine aborted) is dropped whole, with every script compiled in it, and a
 *   spare takes its place (script-host.ts).
 *
 * Every handle made here is disposed before its context: a runtime freed
 * with a live object aborts the whole instance.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type EmscriptenModuleLoaderOptions,
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
  RELEASE_SYNC,
} from 'quickjs-emscripten';
import {
  ENTRY_FILE,
  ENTRY_SOURCE,
  type GuestError,
  PRELUDE_FILE,
  PRELUDE_SOURCE,
  readGuestError,
  SOURCE_FILE,
} from './guest.ts';
import type { CallResult, Sandbox, SandboxFailure, SandboxLimits } from './sandbox-api.ts';
import { type EngineDriver, ScriptHost } from './script-host.ts';

const PAGE = 65_536;
const MiB = 1024 * 1024;
/** The build's own minimum memory (static data, its C stack, the first heap). */
const BASE_BYTES = 16 * MiB;
/** The largest memory the build itself can address (its heap-resize code stops there). */
const MAX_INSTANCE_BYTES = 2048 * MiB;
/**
 * QuickJS counts stack on the engine's own C stack, while V8 also spends its
 * native stack on every WebAssembly frame, up to ten times as much. Measured
 * from a deep host stack, these limits make QuickJS refuse first (a catchable
 * "stack overflow") for deep recursion, nested JSON and nested regular
 * expressions at run time, and for source nesting at compile time, whose
 * frames are the heaviest; above them V8 overflows first and the instance is lost.
 */
const COMPILE_STACK_BYTES = 32 * 1024;
const RUN_STACK_BYTES = 48 * 1024;
const MEMORY_CHECK_INTERVAL_MS = 1;
/** Time given to describe() an exception, past the deadline if need be. */
const DESCRIBE_GRACE_MS = 10;

/**
 * The little of the WebAssembly JS API used here. Herald's TypeScript
 * configuration has no DOM library, which is where its types live.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<object>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: Promise<object | undefined> | undefined;

/** Compiles the engine's WebAssembly once per process; every instance shares the compiled code. */
export function initSandbox(): Promise<object | undefined> {
  compiled ??= (async () => {
    try {
      const fromEngine = createRequire(createRequire(import.meta.url).resolve('quickjs-emscripten'));
      const wasm = readFileSync(fromEngine.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
      return await wasmApi.compile(wasm);
    } catch {
      return undefined; // the variant then finds and compiles its file itself, once per instance
    }
  })();
  return compiled;
}

interface Instance {
  module: QuickJSWASMModule;
  memory: WasmMemory;
}

/** One runtime and its context, and the state its interrupt handler reads. */
interface Live {
  ctx: QuickJSContext;
  describe: QuickJSHandle | null;
  run: QuickJSHandle | null;
  deadline: number;
  timedOut: boolean;
  overMemory: boolean;
  nextMemoryCheck: number;
  /** The heap was measured during the last compile or call. */
  measured: boolean;
}

type Loaded = { kind: 'loaded'; runtime: Live } | { kind: 'no-handler' } | SandboxFailure;

function heapBytes(ctx: QuickJSContext): number {
  try {
    const usage = ctx.runtime.computeMemoryUsage();
    try {
      return (ctx.dump(usage) as { memory_used_size: number }).memory_used_size;
    } finally {
      usage.dispose();
    }
  } catch {
    return Number.POSITIVE_INFINITY; // no room left even to measure
  }
}

class QuickJsDriver implements EngineDriver<Instance, Live> {
  constructor(
    private readonly limits: SandboxLimits,
    private readonly maxBytes: number,
  ) {}

  async createInstance(): Promise<Instance> {
    const wasmModule = await initSandbox();
    const memory = new wasmApi.Memory({
      initial: BASE_BYTES / PAGE,
      maximum: Math.ceil(this.maxBytes / PAGE),
    });
    // An abort becomes a result (crashed); the engine need not print it on Herald's stderr too.
    const quiet: EmscriptenModuleLoaderOptions & { printErr(text: string): void } = { printErr: () => {} };
    const variant = newVariant(RELEASE_SYNC, {
      wasmMemory: memory,
      ...(wasmModule ? { wasmModule } : {}),
      emscriptenModule: quiet,
    });
    return { module: await newQuickJSWASMModuleFromVariant(variant), memory };
  }

  instanceBytes(instance: Instance): number {
    return instance.memory.buffer.byteLength;
  }

  heapBytes(live: Live): number {
    const bytes = heapBytes(live.ctx);
    // Unmeasurable means the heap is full: over the limit, but a finite number for the cache's sums.
    return Number.isFinite(bytes) ? bytes : this.limits.memoryBytes + 1;
  }

  load(instance: Instance, source: string): Loaded {
    const ctx = instance.module.newContext();
    const live: Live = {
      ctx,
      describe: null,
      run: null,
      deadline: Number.POSITIVE_INFINITY,
      timedOut: false,
      overMemory: false,
      nextMemoryCheck: 0,
      measured: false,
    };
    const rt = ctx.runtime;
    rt.setMemoryLimit(this.limits.memoryBytes);
    rt.setMaxStackSize(COMPILE_STACK_BYTES);
    rt.setInterruptHandler(() => this.interrupt(live));
    const loaded = this.guarded(live, () => this.evaluate(live, source));
    if (loaded.kind === 'loaded') rt.setMaxStackSize(RUN_STACK_BYTES);
    else this.free(live);
    return loaded;
  }

  call(live: Live, input: string): { result: CallResult; measured: boolean } {
    const result = this.guarded(live, (): CallResult => {
      const { ctx } = live;
      const arg = ctx.newString(input);
      const called = ctx.callFunction(live.run!, ctx.undefined, arg);
      arg.dispose();
      if (called.error) return this.failed(live, called.error);
      const text = ctx.typeof(called.value) === 'string' ? ctx.getString(called.value) : '!threw:';
      called.value.dispose();
      // Promise callbacks a transform queued run now, under the same deadline, so none is left for later.
      return this.drainJobs(live) ?? { kind: 'answered', text };
    });
    return { result, measured: live.measured };
  }

  free(live: Live): void {
    live.run?.dispose();
    live.describe?.dispose();
    live.ctx.dispose(); // and its runtime, which the context owns
  }

  private evaluate(live: Live, source: string): Loaded {
    const { ctx } = live;
    const prelude = ctx.evalCode(PRELUDE_SOURCE, PRELUDE_FILE, { type: 'global', strict: true });
    if (prelude.error) return this.failed(live, prelude.error);
    live.describe = prelude.value;
    const loaded = ctx.evalCode(source, SOURCE_FILE, { type: 'global' });
    if (loaded.error) return this.failed(live, loaded.error);
    loaded.value.dispose();
    const factory = ctx.evalCode(ENTRY_SOURCE, ENTRY_FILE, { type: 'global', strict: true });
    if (factory.error) return this.failed(live, factory.error);
    const maxChars = ctx.newNumber(this.limits.maxAnswerChars);
    const made = ctx.callFunction(factory.value, ctx.undefined, live.describe, maxChars);
    maxChars.dispose();
    factory.value.dispose();
    if (made.error) return this.failed(live, made.error);
    if (ctx.typeof(made.value) !== 'function') {
      made.value.dispose();
      return { kind: 'no-handler' };
    }
    live.run = made.value;
    const jobs = this.drainJobs(live);
    return jobs ?? { kind: 'loaded', runtime: live };
  }

  /** Runs `fn` under the deadline (a host exception propagates: the instance faulted). */
  private guarded<T>(live: Live, fn: () => T): T {
    live.deadline = performance.now() + this.limits.timeoutMs;
    live.timedOut = false;
    live.overMemory = false;
    live.measured = false;
    try {
      return fn();
    } finally {
      live.deadline = Number.POSITIVE_INFINITY;
    }
  }

  private interrupt(live: Live): boolean {
    const now = performance.now();
    if (now >= live.deadline) {
      live.timedOut = true;
      return true;
    }
    if (now >= live.nextMemoryCheck) {
      live.measured = true;
      const bytes = heapBytes(live.ctx);
      // Measuring walks the whole heap: spaced by three times what it took, it costs a quarter at most.
      const took = performance.now() - now;
      live.nextMemoryCheck = now + Math.max(MEMORY_CHECK_INTERVAL_MS, 3 * took);
      if (bytes > this.limits.memoryBytes) {
        live.overMemory = true;
        return true;
      }
    }
    return false;
  }

  private drainJobs(live: Live): SandboxFailure | null {
    const rt = live.ctx.runtime;
    while (rt.hasPendingJob()) {
      const ran = rt.executePendingJobs();
      if (ran.error) {
        const failure = this.failed(live, ran.error);
        // A callback that threw affects nothing the transform returned.
        if (failure.kind !== 'threw') return failure;
      }
    }
    return null;
  }

  /** Classifies an exception handle and disposes it. */
  private failed(live: Live, error: QuickJSHandle): SandboxFailure {
    try {
      if (live.timedOut) return { kind: 'timeout' };
      if (live.overMemory) return { kind: 'memory' };
      const described = this.describe(live, error);
      // describe() catches whatever a transform can throw at it: only the engine's own errors stop
      // it, and the one it can meet describing an error is having no memory left to do so.
      if (described === 'failed') return { kind: 'memory' };
      if (described === 'timeout') return { kind: 'threw', error: readGuestError('') };
      if (described.name === 'InternalError' && described.message === 'out of memory')
        return { kind: 'memory' };
      if (described.message === 'stack overflow') return { kind: 'stack' };
      return { kind: 'threw', error: described };
    } finally {
      error.dispose();
    }
  }

  private describe(live: Live, error: QuickJSHandle): GuestError | 'timeout' | 'failed' {
    const { ctx } = live;
    if (live.describe === null) return readGuestError('');
    // The grace is for this description only: the call's own deadline stands for what follows.
    const deadline = live.deadline;
    live.deadline = Math.max(deadline, performance.now() + DESCRIBE_GRACE_MS);
    try {
      const result = ctx.callFunction(live.describe, ctx.undefined, error);
      if (result.error) {
        result.error.dispose();
        return live.timedOut ? 'timeout' : 'failed';
      }
      const text = ctx.typeof(result.value) === 'string' ? ctx.getString(result.value) : '';
      result.value.dispose();
      return readGuestError(text);
    } finally {
      live.deadline = deadline;
      live.timedOut = false;
    }
  }
}

/**
 * QuickJS's heap estimate falls short of the memory a runtime really takes
 * from the instance (57 KiB estimated, 69 KiB taken, for a small transform):
 * the instance is sized on what is taken.
 */
const ESTIMATE_SLACK = 1.25;

/** Loads the engine (once per process) and starts an instance and its spare. */
export async function createSandbox(limits: SandboxLimits): Promise<Sandbox> {
  const retained = Math.ceil(limits.retainedBytes * ESTIMATE_SLACK);
  // Room for the compiled scripts plus one call running away to the cap before it is stopped.
  const maxBytes = Math.min(MAX_INSTANCE_BYTES, BASE_BYTES + retained + 2 * limits.memoryBytes);
  const retireAboveBytes = BASE_BYTES + retained + limits.memoryBytes;
  return ScriptHost.start(limits, new QuickJsDriver(limits, maxBytes), retireAboveBytes);
}
