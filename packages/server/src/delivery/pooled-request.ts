/**
 * One outbound request through its pool (connection-pools.ts), with two
 * deadlines: getting a connection, then the response from the moment the
 * request is written. Settles exactly once, as data, never as an exception.
 */
import type { ConnectionPools, PoolLease } from './connection-pools.ts';
import { DeadlineError, describeError } from './http-errors.ts';
import type { OutboundRequest, OutboundResult } from './outbound-types.ts';
import { ResponseHandler, redirectError } from './response-handler.ts';

export interface PoolLimits {
  pools: ConnectionPools;
  connectTimeoutMs: number;
  maxResponseBytes: number;
}

/**
 * One request through its pool: wait for a slot in it and in the overall
 * count, dispatch, and settle once, whichever comes first of the response,
 * an error or a deadline. Slots are given back when undici is done with the
 * request, which after an early deadline may be a little later.
 */
export class PooledRequest {
  private settled = false;
  private resolve!: (result: Omit<OutboundResult, 'durationMs'>) => void;
  private connectTimer: NodeJS.Timeout | null = null;
  private responseTimer: NodeJS.Timeout | null = null;
  private readonly giveUp = new AbortController();
  private stage: 'resolving' | 'pool' | 'overall' | 'connecting' = 'resolving';

  constructor(
    private readonly req: OutboundRequest,
    private readonly url: URL,
    private readonly lease: PoolLease,
    private readonly limits: PoolLimits,
  ) {}

  run(precheck: (() => Promise<void>) | null): Promise<Omit<OutboundResult, 'durationMs'>> {
    const result = new Promise<Omit<OutboundResult, 'durationMs'>>((resolve) => {
      this.resolve = resolve;
    });
    this.connectTimer = setTimeout(() => this.connectDeadline(), this.limits.connectTimeoutMs);
    void this.start(precheck).catch((err: unknown) => {
      this.lease.release();
      this.settle(null, err);
    });
    return result;
  }

  private async start(precheck: (() => Promise<void>) | null): Promise<void> {
    if (precheck) await precheck();
    this.stage = 'pool';
    const { slots } = this.lease;
    const { total } = this.limits.pools;
    if (!(await slots.acquire(this.giveUp.signal))) return this.lease.release();
    this.stage = 'overall';
    if (!(await total.acquire(this.giveUp.signal))) {
      slots.release();
      return this.lease.release();
    }
    this.stage = 'connecting';
    const done = () => {
      total.release();
      slots.release();
      this.lease.release();
    };
    const handler = new ResponseHandler(this.limits.maxResponseBytes, {
      onSent: (controller) => {
        if (this.settled) return controller.abort(new DeadlineError('the attempt was already over'));
        this.clearConnectTimer();
        const ms = this.req.timeoutMs;
        this.responseTimer = setTimeout(
          () => controller.abort(new DeadlineError(`no complete response within ${ms} ms`)),
          ms,
        );
      },
      onDone: (error) => {
        done();
        this.settle(handler, error);
      },
    });
    try {
      this.lease.dispatcher.dispatch(
        {
          origin: this.url.origin,
          path: `${this.url.pathname}${this.url.search}`,
          method: this.req.method,
          headers: withUrlCredentials(this.req.headers, this.url),
          body: this.req.body,
        },
        handler,
      );
    } catch (err) {
      done();
      this.settle(null, err);
    }
  }

  /** No connection in time: say what it was waiting for, and let undici drop the request when it gets to it. */
  private connectDeadline(): void {
    this.connectTimer = null;
    const ms = this.limits.connectTimeoutMs;
    const host = this.url.host;
    let message: string;
    if (this.stage === 'resolving') {
      message = `resolving ${this.url.hostname} timed out after ${ms} ms`;
    } else if (this.stage === 'pool') {
      message = `no free connection to ${host} within ${ms} ms: all ${this.lease.slots.size} of its pool's connections were busy`;
    } else if (this.stage === 'overall') {
      message = `no free connection within ${ms} ms: all ${this.limits.pools.total.size} of Herald's outbound connections were busy`;
    } else {
      message = `connecting to ${host} timed out after ${ms} ms`;
    }
    this.giveUp.abort();
    this.settle(null, new DeadlineError(message));
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private settle(handler: ResponseHandler | null, error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.clearConnectTimer();
    if (this.responseTimer) clearTimeout(this.responseTimer);
    const status = handler?.status ?? null;
    const headers = handler?.headers ?? null;
    const body = handler?.bodyText() ?? null;
    this.resolve(
      error
        ? { status, headers, body, error: describeError(error, this.url, this.req.timeoutMs) }
        : { status, headers, body, error: redirectError(status, headers) },
    );
  }
}

/** `https://user:pass@host/…`: receivers often configure Basic auth this way; undici would drop it. */
function withUrlCredentials(headers: Record<string, string>, url: URL): Record<string, string> {
  if ((url.username === '' && url.password === '') || 'authorization' in headers) return headers;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { ...headers, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}
