/**
 * The life of compiled scripts around an engine, the same for any engine:
 * compile into the current instance, call, compile again after a call that
 * left the runtime unusable, measure what each script holds, and drop an
 * instance that faulted (or that a runaway call left bloated), with every
 * script in it, for the spare. The engine itself is an `EngineDriver`
 * (sandbox.ts: QuickJS).
 */
import type {
  CallResult,
  CompileResult,
  Sandbox,
  SandboxFailure,
  SandboxLimits,
  SandboxScript,
  SandboxStats,
} from './sandbox-api.ts';
import { SparePool } from './spare-pool.ts';

/** Every method may throw, and only when the instance itself faulted: it is then never used again. */
export interface EngineDriver<I, R> {
  createInstance(): Promise<I>;
  /** Compiles `source` in a fresh runtime of `instance`. */
  load(instance: I, source: string): { kind: 'loaded'; runtime: R } | { kind: 'no-handler' } | SandboxFailure;
  /** `measured`: the call ran long enough for its heap to be measured while it ran. */
  call(runtime: R, input: string): { result: CallResult; measured: boolean };
  heapBytes(runtime: R): number;
  free(runtime: R): void;
  /** How much of Herald's memory the instance holds. */
  instanceBytes(instance: I): number;
}

interface Hosted<I> {
  instance: I;
  alive: boolean;
  scripts: Set<HostedScript<I, unknown>>;
}

const FOOTPRINT_EVERY_CALLS = 64;

class HostedScript<I, R> implements SandboxScript {
  footprintBytes = 0;
  runtime: { hosted: Hosted<I>; value: R } | null = null;
  private calls = 0;

  constructor(
    private readonly host: ScriptHost<I, R>,
    private readonly source: string,
  ) {}

  call(input: string): CallResult {
    if (this.runtime === null) {
      const loaded = this.host.load(this.source);
      if (loaded.kind !== 'loaded') return loaded;
      this.host.adopt(this, loaded.hosted, loaded.runtime);
    }
    const { hosted, value } = this.runtime!;
    const { result, measured } = this.host.call(hosted, value, input);
    if (result.kind === 'timeout' || result.kind === 'memory') {
      // Interrupted mid-way, the runtime's state is whatever it was: the next call starts afresh.
      this.host.release(this);
    } else if (this.runtime !== null && (measured || ++this.calls % FOOTPRINT_EVERY_CALLS === 0)) {
      this.footprintBytes = this.host.heapBytes(hosted, value);
      // State kept between calls counts against the limit too: start afresh rather than carry it.
      if (this.footprintBytes > this.host.limits.memoryBytes) this.host.release(this);
    }
    this.host.afterUse(hosted);
    return result;
  }

  dispose(): void {
    this.host.release(this);
  }
}

export class ScriptHost<I, R> implements Sandbox {
  private compiles = 0;

  private constructor(
    readonly limits: SandboxLimits,
    private readonly driver: EngineDriver<I, R>,
    private readonly pool: SparePool<Hosted<I>>,
    /** Above this, an instance is replaced once a spare is ready: its memory went to a runaway call. */
    private readonly retireAboveBytes: number,
  ) {}

  static async start<I, R>(
    limits: SandboxLimits,
    driver: EngineDriver<I, R>,
    retireAboveBytes: number,
  ): Promise<ScriptHost<I, R>> {
    const make = async (): Promise<Hosted<I>> => ({
      instance: await driver.createInstance(),
      alive: true,
      scripts: new Set(),
    });
    return new ScriptHost(limits, driver, await SparePool.start(make), retireAboveBytes);
  }

  compile(source: string): CompileResult {
    const loaded = this.load(source);
    if (loaded.kind !== 'loaded') return loaded;
    const script = new HostedScript<I, R>(this, source);
    this.adopt(script, loaded.hosted, loaded.runtime);
    this.afterUse(loaded.hosted);
    return { kind: 'compiled', script };
  }

  load(
    source: string,
  ): { kind: 'loaded'; hosted: Hosted<I>; runtime: R } | { kind: 'no-handler' } | SandboxFailure {
    const hosted = this.pool.current;
    if (hosted === null) return { kind: 'unavailable', reason: this.pool.unavailableReason };
    this.compiles++;
    try {
      const loaded = this.driver.load(hosted.instance, source);
      return loaded.kind === 'loaded' ? { kind: 'loaded', hosted, runtime: loaded.runtime } : loaded;
    } catch (err) {
      return this.fault(hosted, err);
    }
  }

  call(hosted: Hosted<I>, runtime: R, input: string): { result: CallResult; measured: boolean } {
    try {
      return this.driver.call(runtime, input);
    } catch (err) {
      return { result: this.fault(hosted, err), measured: false };
    }
  }

  heapBytes(hosted: Hosted<I>, runtime: R): number {
    try {
      return this.driver.heapBytes(runtime);
    } catch (err) {
      this.fault(hosted, err);
      return 0;
    }
  }

  adopt(script: HostedScript<I, R>, hosted: Hosted<I>, runtime: R): void {
    script.runtime = { hosted, value: runtime };
    script.footprintBytes = this.heapBytes(hosted, runtime);
    hosted.scripts.add(script as HostedScript<I, unknown>);
  }

  /** Frees a script's runtime; it compiles again on its next call. */
  release(script: HostedScript<I, R>): void {
    const runtime = script.runtime;
    script.runtime = null;
    if (runtime === null) return;
    runtime.hosted.scripts.delete(script as HostedScript<I, unknown>);
    // A dead instance's memory goes with it, all at once.
    if (!runtime.hosted.alive) return;
    try {
      this.driver.free(runtime.value);
    } catch (err) {
      this.fault(runtime.hosted, err);
    }
  }

  afterUse(hosted: Hosted<I>): void {
    if (
      hosted.alive &&
      this.pool.hasSpare &&
      this.driver.instanceBytes(hosted.instance) > this.retireAboveBytes
    ) {
      this.retire(hosted);
    }
  }

  /** The host's own code failed inside the instance: nothing in it can be trusted again. */
  private fault(hosted: Hosted<I>, err: unknown): SandboxFailure {
    this.retire(hosted);
    // V8's stack ran out inside the engine's frames (QuickJS would have refused first had it counted them).
    if (err instanceof RangeError) return { kind: 'stack' };
    return { kind: 'crashed', reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }

  private retire(hosted: Hosted<I>): void {
    if (!hosted.alive) return;
    hosted.alive = false;
    for (const script of hosted.scripts) script.runtime = null;
    hosted.scripts.clear();
    this.pool.retire(hosted);
  }

  stats(): SandboxStats {
    const current = this.pool.current;
    return {
      compiles: this.compiles,
      restarts: this.pool.retired,
      instanceBytes: current ? this.driver.instanceBytes(current.instance) : 0,
    };
  }

  settled(): Promise<void> {
    return this.pool.settled();
  }

  close(): void {
    for (const hosted of this.pool.close()) {
      for (const script of [...hosted.scripts]) this.release(script as HostedScript<I, R>);
    }
  }
}
