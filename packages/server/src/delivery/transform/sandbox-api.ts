/**
 * What the rest of Herald sees of the sandbox: compile a source, call the
 * result with JSON text, get text or a failure back. sandbox.ts implements
 * it with QuickJS; another engine would implement the same interface.
 */
import type { GuestError } from './guest.ts';

export interface SandboxLimits {
  /** Wall-clock budget of one compile or one call. */
  timeoutMs: number;
  /** Heap one script may hold. */
  memoryBytes: number;
  /** What the caller keeps compiled at once (its cache budget): sizes the engine's memory. */
  retainedBytes: number;
  /** Longest answer text a call may return, in UTF-16 code units. */
  maxAnswerChars: number;
}

export type SandboxFailure =
  | { kind: 'threw'; error: GuestError }
  | { kind: 'timeout' }
  | { kind: 'memory' }
  | { kind: 'stack' }
  /** The engine itself faulted; it was replaced. */
  | { kind: 'crashed'; reason: string }
  | { kind: 'unavailable'; reason: string };

export type CompileResult =
  | { kind: 'compiled'; script: SandboxScript }
  | { kind: 'no-handler' }
  | SandboxFailure;
export type CallResult = { kind: 'answered'; text: string } | { kind: 'no-handler' } | SandboxFailure;

export interface SandboxScript {
  /** Calls the entry with one JSON text; compiles again first if the last call left the runtime unusable. */
  call(input: string): CallResult;
  /** The heap this script holds (the engine's estimate), measured again now and then. */
  readonly footprintBytes: number;
  dispose(): void;
}

export interface SandboxStats {
  compiles: number;
  /** Engine instances dropped after a fault or a runaway call, and replaced. */
  restarts: number;
  /** The current instance's memory: what the sandbox holds of Herald's. */
  instanceBytes: number;
}

export interface Sandbox {
  compile(source: string): CompileResult;
  stats(): SandboxStats;
  /** Resolves once a replacement instance is ready (after a restart). */
  settled(): Promise<void>;
  close(): void;
}
