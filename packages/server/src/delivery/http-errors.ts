/**
 * What went wrong with an outbound request, as an attempt's `error`: undici's
 * and Node's error codes turned into Herald's kinds and messages a receiver's
 * owner can act on.
 */
import type { AttemptError } from '../domain/types.ts';

/** A destination refused by the network policy; carries forbiddenReason's message. */
export class PrivateNetworkError extends Error {
  readonly code = 'HERALD_PRIVATE_NETWORK';
}

/** A deadline of ours passed; the message says which one (no connection in time, or no complete response). */
export class DeadlineError extends Error {
  readonly code = 'HERALD_DEADLINE';
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The most specific error in a chain: undici wraps socket errors in `cause`, happy-eyeballs in AggregateError. */
function rootCauses(err: unknown): ErrorLike[] {
  const seen: ErrorLike[] = [];
  let current: unknown = err;
  while (current && typeof current === 'object' && seen.length < 8) {
    const e = current as ErrorLike;
    seen.push(e);
    current = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return seen;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_)|^EPROTO$/;

export function describeError(err: unknown, url: URL, timeoutMs: number): AttemptError {
  const chain = rootCauses(err);
  const host = url.host;
  for (const e of chain) {
    if (e instanceof PrivateNetworkError) return { kind: 'private_network', message: e.message };
    if (e instanceof DeadlineError) return { kind: 'timeout', message: e.message };
  }
  for (const e of [...chain].reverse()) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : String(e);
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
      return { kind: 'timeout', message: `connecting to ${host} timed out` };
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || e.name === 'TimeoutError') {
      return { kind: 'timeout', message: `no complete response within ${timeoutMs} ms` };
    }
    if (code === 'ECONNREFUSED')
      return { kind: 'connection_refused', message: `connection refused by ${host}` };
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') {
      return {
        kind: 'connection_reset',
        message: `${host} closed the connection before the response was complete`,
      };
    }
    if (code === 'ENOTFOUND' || code.startsWith('EAI_')) {
      return { kind: 'dns', message: `could not resolve ${url.hostname} (${code})` };
    }
    if (TLS_CODE.test(code)) return { kind: 'tls', message: `TLS with ${host} failed: ${message}` };
    if (code.startsWith('HPE_'))
      return { kind: 'network', message: `${host} sent an invalid HTTP response (${code})` };
  }
  const first = chain[0];
  const code = typeof first?.code === 'string' ? `${first.code}: ` : '';
  const message = typeof first?.message === 'string' ? first.message : String(err);
  return { kind: 'network', message: `request to ${host} failed: ${code}${message}` };
}
