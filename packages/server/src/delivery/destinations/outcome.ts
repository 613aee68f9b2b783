/**
 * What a broker send answers: the HTTP client's result shape with the
 * verdict set, and client-library errors turned into Herald's error kinds
 * with messages that name the broker by host and port only (never the URL,
 * which may hold a password).
 */
import type { AttemptError, AttemptErrorKind } from '../../domain/types.ts';
import { failedResult } from '../outbound-types.ts';
import type { DestinationResult, DestinationVerdict } from './port.ts';

/** How long opening a connection (resolve, TCP, TLS, broker handshake) may take, on top of the message's timeout. */
export const CONNECT_BUDGET_MS = 5000;

/** A failure already in Herald's terms (the policy refused the host, a name is invalid, the broker said no). */
export class AttemptFailure extends Error {
  constructor(
    readonly error: AttemptError,
    readonly verdict: Exclude<DestinationVerdict, 'success'> = 'retryable',
  ) {
    super(error.message);
  }
}

/** The pooled connection closed (or its channel did) while a send was waiting on it. */
export class ConnectionLostError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

export function succeeded(body: string, durationMs: number): DestinationResult {
  return { status: null, headers: null, body, durationMs, error: null, verdict: 'success' };
}

export function failed(
  error: AttemptError,
  verdict: Exclude<DestinationVerdict, 'success'>,
  durationMs: number,
): DestinationResult {
  return { ...failedResult(error.kind, error.message, durationMs), verdict };
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)|^EPROTO$/;

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The kind for a Node socket error code, or null when the code says nothing about the network. */
export function socketErrorKind(code: string): AttemptErrorKind | null {
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'connection_reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return 'dns';
  if (TLS_CODE.test(code)) return 'tls';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'network';
  return null;
}

/**
 * A client library's error as an attempt error. `where` is `host:port`.
 * Libraries wrap socket errors differently (amqplib passes them through,
 * nats.js in `chainedError`, ioredis in plain messages), so the chain is read.
 */
export function describeError(err: unknown, where: string): AttemptError {
  if (err instanceof AttemptFailure) return err.error;
  if (err instanceof ConnectionLostError) {
    const inner = describeError(err.reason, where);
    if (inner.kind !== 'network') return inner;
    return {
      kind: 'connection_reset',
      message: `the connection to ${where} was lost before the broker acknowledged: ${err.message}`,
    };
  }
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = codeOf(current);
    const kind = socketErrorKind(code);
    if (kind === 'connection_refused') return { kind, message: `connection refused by ${where}` };
    if (kind === 'connection_reset') return { kind, message: `${where} closed the connection (${code})` };
    if (kind === 'timeout') return { kind, message: `connecting to ${where} timed out` };
    if (kind === 'dns') return { kind, message: `could not resolve the host of ${where} (${code})` };
    if (kind === 'tls') return { kind, message: `TLS with ${where} failed: ${messageOf(current)}` };
    if (kind === 'network') return { kind, message: `${where} is unreachable (${code})` };
    const next = current as { cause?: unknown; chainedError?: unknown; errors?: unknown };
    current = next.chainedError ?? next.cause ?? (Array.isArray(next.errors) ? next.errors[0] : undefined);
  }
  const code = codeOf(err);
  return { kind: 'network', message: `${where}: ${code ? `${code}: ` : ''}${messageOf(err)}` };
}

/** The result with every secret replaced by `***`, in case a library echoed one in a message. */
export function scrubResult(result: DestinationResult, secrets: readonly string[]): DestinationResult {
  const present = secrets.filter((s) => s.length > 0);
  if (present.length === 0) return result;
  const scrub = (text: string) => present.reduce((acc, secret) => acc.split(secret).join('***'), text);
  return {
    ...result,
    body: result.body === null ? null : scrub(result.body),
    error: result.error === null ? null : { ...result.error, message: scrub(result.error.message) },
  };
}

/** `promise`, or a rejection with `onTimeout()` after `ms`. The timer never keeps the process alive. */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
