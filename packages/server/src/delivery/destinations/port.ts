/**
 * The destination port (docs/architecture.md, "Destinations: one port, many
 * kinds"): what every kind of destination — HTTP, a broker, the relay to
 * `herald listen` — provides, so that claims, retries, batching, rate
 * limits, ordering, the circuit breaker and the attempt log never branch on
 * the kind. A kind is one folder under destinations/ plus its tests.
 */

import type { OutboundResult } from '../outbound-types.ts';
import type { NetworkPolicy } from '../ssrf.ts';

/** How an attempt ended, in the kind's own terms. */
export type DestinationVerdict = 'success' | 'retryable' | 'permanent';

/** What a kind answers: the HTTP client's result, plus the verdict a broker's answer implies. */
export interface DestinationResult extends OutboundResult {
  /**
   * Set by broker kinds (a publisher confirm, a JetStream ack, PUBACK's reason
   * code, an XADD id or error). Left out by HTTP, whose status code is judged
   * by domain/retry.ts. `body` holds what the broker answered, for the log.
   */
  verdict?: DestinationVerdict;
}

/** One message, built and signed as for HTTP: the same body bytes, the same headers. */
export interface DestinationMessage {
  /** The signature headers, `webhook-id`, `webhook-timestamp`, `content-type` and the custom headers, lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** For templates in the options (`{{type}}`, `{{tenantId}}`, `{{resource}}`). */
  template: { type: string; tenantId: string; resource: string | null };
  /** How long the broker may take to acknowledge. */
  timeoutMs: number;
}

/** Where one endpoint's messages go: its URL (credentials included) and its `destination` options. */
export interface DestinationTarget {
  /** Pool key: connections are shared by sends with the same key (endpoint id and version). */
  key: string;
  /** The endpoint the message is for ('*' for a send that has none): the relay hands it to that endpoint's listener. */
  endpointId: string;
  url: string;
  options: Record<string, unknown>;
}

export interface DestinationKind {
  /** URL schemes this kind serves, without the colon: `amqp`, `amqps`. */
  readonly schemes: readonly string[];
  /** null when the URL and options can be sent to, else what is wrong and how to fix it (a 422's message). */
  check(url: URL, options: Record<string, unknown>): { path: 'url' | 'destination'; message: string } | null;
  /** Publishes one message and says how it went. Never throws: failures are results. */
  send(target: DestinationTarget, message: DestinationMessage): Promise<DestinationResult>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

/** What a kind is made with. */
export interface DestinationContext {
  /** The private-network policy, applied to the broker's resolved address before connecting. */
  policy: NetworkPolicy;
  /** A pooled connection nobody used for this long is closed. */
  idleMs?: number;
  /** Monotonic milliseconds, for durations. */
  clock?: () => number;
}
