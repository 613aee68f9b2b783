/**
 * The relay hub: the `herald listen` processes connected to this Herald
 * process, by endpoint id (DESIGN.md, "`herald listen` (local
 * development)"). A delivery to a `relay://` endpoint is handed to the
 * listener that connected most recently; listeners that connected earlier
 * stay on standby and take over, in reverse order, when it disconnects. The
 * listener forwards the message to the developer's local server and posts
 * the answer back under the message's id; that answer becomes the attempt's
 * response, judged like any HTTP response (2xx success, 410 disables, the
 * rest retried).
 *
 * The hub lives in one process: a listener connected to one API process
 * gets only the deliveries that process's worker sends (HERALD_ROLE=all).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AttemptErrorKind } from '../../../domain/types.ts';
import { failedResult } from '../../outbound-types.ts';
import type { DestinationMessage, DestinationResult } from '../port.ts';

/** What a listener's stream carries for one delivery (the endpoint's method is added by the stream). */
export interface RelayMessage {
  /** Answer under this id: `POST …/listen/:id`. */
  id: string;
  headers: Record<string, string>;
  body: string;
  eventType: string;
  /** How long Herald waits for the answer (the endpoint's `timeoutMs`). */
  timeoutMs: number;
}

/** Why a listener could not get an answer from the local server. */
export type RelayErrorKind = Extract<
  AttemptErrorKind,
  'connection_refused' | 'connection_reset' | 'timeout' | 'dns' | 'tls' | 'network'
>;

export const RELAY_ERROR_KINDS: readonly RelayErrorKind[] = [
  'connection_refused',
  'connection_reset',
  'timeout',
  'dns',
  'tls',
  'network',
];

/** What a listener answers: the local server's response, or why it got none. */
export type RelayAnswer =
  | { status: number; headers: Record<string, string>; body: string }
  | { error: { kind: RelayErrorKind; message: string } };

/** One connected listener, as its stream implements it. */
export interface RelayListener {
  /** Writes a delivery to the stream. */
  deliver(message: RelayMessage): void;
  /** Tells the listener whether it receives deliveries (true) or waits on standby behind a newer one. */
  setActive(active: boolean): void;
  /** Ends the stream (this Herald process is stopping). */
  close(): void;
}

/** A listener's place in the hub. */
export interface RelayConnection {
  /** Whether it receives deliveries now (it is the most recent listener of its endpoint). */
  readonly active: boolean;
  /** Leaves the hub; deliveries it has not answered fail at once as `connection_reset`. */
  detach(): void;
}

/** The HTTP client's limit on a response body kept for the log; the relay keeps the same. */
const MAX_BODY_BYTES = 65_536;
const MAX_ERROR_MESSAGE = 1000;

interface Connection {
  listener: RelayListener;
  pending: Set<string>;
  detached: boolean;
}

interface Pending {
  endpointId: string;
  connection: Connection;
  startedAt: number;
  timer: NodeJS.Timeout;
  resolve(result: DestinationResult): void;
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // A character cut in half becomes U+FFFD; drop it rather than show a broken one.
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

export const NO_LISTENER_MESSAGE =
  'no herald listen is connected to this relay endpoint; run: herald listen <local-url> --endpoint <endpoint id> --api <herald url> --token <tenant token>';

export class RelayHub {
  readonly #listeners = new Map<string, Connection[]>();
  readonly #pending = new Map<string, Pending>();
  readonly #clock: () => number;
  #closed = false;

  constructor(options: { clock?: () => number } = {}) {
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Adds a listener for the endpoint; it takes the deliveries from the one before it, which goes on standby. */
  attach(endpointId: string, listener: RelayListener): RelayConnection {
    const connection: Connection = { listener, pending: new Set(), detached: false };
    if (this.#closed) {
      listener.close();
      connection.detached = true;
      return { active: false, detach: () => {} };
    }
    const list = this.#listeners.get(endpointId) ?? [];
    list.at(-1)?.listener.setActive(false);
    list.push(connection);
    this.#listeners.set(endpointId, list);
    const hub = this;
    return {
      get active() {
        return !connection.detached && hub.#listeners.get(endpointId)?.at(-1) === connection;
      },
      detach: () => this.#detach(endpointId, connection),
    };
  }

  /** How many listeners the endpoint has (the active one and those on standby). */
  listenerCount(endpointId: string): number {
    return this.#listeners.get(endpointId)?.length ?? 0;
  }

  /**
   * Hands one message to the endpoint's active listener and waits for its
   * answer, at most `message.timeoutMs`. Never throws: no listener, a
   * listener gone before answering and no answer in time are results.
   */
  deliver(endpointId: string, message: DestinationMessage): Promise<DestinationResult> {
    const connection = this.#listeners.get(endpointId)?.at(-1);
    if (this.#closed) {
      return Promise.resolve(
        failedResult('connection_refused', 'this Herald process is stopping; the delivery will be retried'),
      );
    }
    if (!connection) return Promise.resolve(failedResult('connection_refused', NO_LISTENER_MESSAGE));
    const id = `rly_${randomUUID().replaceAll('-', '')}`;
    const startedAt = this.#clock();
    return new Promise<DestinationResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#settle(
          id,
          failedResult(
            'timeout',
            `herald listen did not answer within ${message.timeoutMs} ms (is the local server slow or hung?)`,
            message.timeoutMs,
          ),
        );
      }, message.timeoutMs);
      timer.unref();
      this.#pending.set(id, { endpointId, connection, startedAt, timer, resolve });
      connection.pending.add(id);
      try {
        connection.listener.deliver({
          id,
          headers: message.headers,
          body: message.body,
          eventType: message.template.type,
          timeoutMs: message.timeoutMs,
        });
      } catch (err) {
        this.#settle(
          id,
          failedResult('connection_reset', `could not write to the herald listen stream: ${String(err)}`),
        );
      }
    });
  }

  /**
   * Records a listener's answer to a message of this endpoint. false when no
   * such message is waiting: unknown, answered already, timed out, or its
   * listener disconnected first.
   */
  answer(endpointId: string, messageId: string, answer: RelayAnswer): boolean {
    const pending = this.#pending.get(messageId);
    if (!pending || pending.endpointId !== endpointId) return false;
    const durationMs = Math.max(0, Math.round(this.#clock() - pending.startedAt));
    if ('error' in answer) {
      const message = answer.error.message.slice(0, MAX_ERROR_MESSAGE);
      this.#settle(messageId, failedResult(answer.error.kind, message, durationMs));
    } else {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
      const body = truncateUtf8(answer.body, MAX_BODY_BYTES);
      this.#settle(messageId, { status: answer.status, headers, body, durationMs, error: null });
    }
    return true;
  }

  /** Ends every listener's stream and fails what they had not answered; later deliveries are refused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [endpointId, list] of [...this.#listeners]) {
      for (const connection of [...list]) {
        this.#detach(endpointId, connection);
        connection.listener.close();
      }
    }
  }

  #settle(id: string, result: DestinationResult): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.connection.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  #detach(endpointId: string, connection: Connection): void {
    if (connection.detached) return;
    connection.detached = true;
    const list = this.#listeners.get(endpointId) ?? [];
    const wasActive = list.at(-1) === connection;
    const rest = list.filter((c) => c !== connection);
    if (rest.length === 0) this.#listeners.delete(endpointId);
    else this.#listeners.set(endpointId, rest);
    for (const id of [...connection.pending]) {
      const pending = this.#pending.get(id);
      const elapsed = pending ? Math.max(0, Math.round(this.#clock() - pending.startedAt)) : 0;
      this.#settle(
        id,
        failedResult(
          'connection_reset',
          'the herald listen connection closed before it answered; the delivery will be retried',
          elapsed,
        ),
      );
    }
    if (wasActive && !this.#closed) rest.at(-1)?.listener.setActive(true);
  }
}
