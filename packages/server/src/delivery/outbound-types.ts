/** What the HTTP client takes and gives back: plain data, so it crosses to the sender thread as it is. */
import type { AttemptError, AttemptErrorKind, HttpMethod } from '../domain/types.ts';

/** One HTTP request to an endpoint, fully built (URL substituted, headers signed). */
export interface OutboundRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string;
  /** How long the response may take once the request is written to a connection. */
  timeoutMs: number;
  /**
   * Whose connections carry it: requests with the same key share a pool of
   * `connections` sockets per origin that no other key uses (the worker keys
   * by endpoint id). Without it, requests to an origin share that origin's pool.
   */
  pool?: { key: string; connections: number };
  /**
   * For a URL that is not http(s) (a broker, the relay): the endpoint, its
   * `destination` options and the values of their templates
   * (delivery/destinations/registry.ts). Left out for http(s).
   */
  destination?: {
    endpointId: string | null;
    options: Record<string, unknown>;
    template: { type: string; tenantId: string; resource: string | null };
  };
}

/** What came back. Failures are data: `error` says what went wrong, `status` is null when no response arrived. */
export interface OutboundResult {
  status: number | null;
  headers: Record<string, string> | null;
  /** The first `maxResponseBytes` of the body, as UTF-8. */
  body: string | null;
  durationMs: number;
  error: AttemptError | null;
  /**
   * Set by broker and relay destinations from their protocol's answer (a confirm, an
   * ack, a reason code); absent for HTTP, whose status code domain/retry.ts judges.
   */
  verdict?: 'success' | 'retryable' | 'permanent';
}

/** A request that got no response: what went wrong, as data. */
export function failedResult(kind: AttemptErrorKind, message: string, durationMs = 0): OutboundResult {
  return { status: null, headers: null, body: null, durationMs, error: { kind, message } };
}
