/**
 * The undici handler for one outbound request: it hears when the request is
 * written to a socket (where its response deadline starts), keeps the first
 * bytes of the body and stops reading at the limit.
 */
import type { Dispatcher } from 'undici';
import { redactUrl } from '../domain/redact.ts';
import type { AttemptError } from '../domain/types.ts';

/** Not a failure: we stop reading a body once the attempt log has all it keeps. */
class BodyLimitReached extends Error {}

export interface ResponseHooks {
  /** The request has a connection and is being written: the response deadline starts now. */
  onSent(controller: Dispatcher.DispatchController): void;
  /** undici is done with the request; `error` is null when the response ended (or was cut at the limit). */
  onDone(error: Error | null): void;
}

export class ResponseHandler implements Dispatcher.DispatchHandler {
  status: number | null = null;
  headers: Record<string, string> | null = null;
  private readonly body: BodyCollector;
  private full = false;
  private sent = false;

  constructor(
    maxBytes: number,
    private readonly hooks: ResponseHooks,
  ) {
    this.body = new BodyCollector(maxBytes);
  }

  bodyText(): string | null {
    return this.status === null ? null : this.body.text();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // undici may start a request again after a pipelined one failed; the deadline started the first time.
    if (this.sent) return;
    this.sent = true;
    this.hooks.onSent(controller);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx informational: the real answer follows
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.full) return;
    if (!this.body.add(chunk)) {
      this.full = true;
      // Aborting closes the socket instead of reading (and buffering) the rest.
      controller.abort(new BodyLimitReached());
    }
  }

  onResponseEnd(): void {
    this.hooks.onDone(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.hooks.onDone(this.full || error instanceof BodyLimitReached ? null : error);
  }
}

class BodyCollector {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}

  /** Keeps what fits; false once the limit is reached and reading should stop. */
  add(chunk: Buffer): boolean {
    const room = this.max - this.size;
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room));
      this.size = this.max;
      return false;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  text(): string {
    // stream: true holds back a multi-byte character cut in half by the limit instead of emitting U+FFFD.
    return new TextDecoder('utf-8').decode(Buffer.concat(this.chunks), { stream: true });
  }
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function redirectError(
  status: number | null,
  headers: Record<string, string> | null,
): AttemptError | null {
  if (status === null || status < 300 || status > 399) return null;
  const location = headers?.location;
  return {
    kind: 'redirect',
    message: location
      ? `redirects are not followed (Location: ${redactUrl(location)})`
      : 'redirects are not followed (the response had no Location header)',
  };
}
