/**
 * `herald listen <forward-url>` (docs/listen.md): receives a relay://
 * endpoint's deliveries from Herald over a Server-Sent Events stream
 * (`GET …/endpoints/:eid/listen`), forwards each to a server on this machine
 * with the same method, headers and body, and posts the local answer back
 * (`POST …/listen/:id`), which Herald records as the attempt's response.
 *
 * The tenant comes from the token: `GET /v1/portal/session` says whose it
 * is (an admin key names none, so it needs --tenant).
 */
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { RelayAnswer } from '../delivery/destinations/relay/hub.ts';
import {
  answerHeaders,
  errorKind,
  forwardedHeaders,
  LISTEN_HELP,
  type ListenOptions,
  parseListenArgs,
  readLimited,
  sseParser,
  storable,
  UsageError,
} from './listen-support.ts';

/** Herald writes at least a keep-alive comment every 15 s: a stream silent this long is dead. */
const STREAM_IDLE_MS = 45_000;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 10_000];

/** A refusal retrying cannot fix (a revoked token, a deleted or non-relay endpoint): exit code 1. */
class FatalError extends Error {}

interface Delivery {
  id: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  eventType: string;
  timeoutMs: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  /** Herald's error message, else `HTTP <status>`. */
  message: string;
}

function answerOf(status: number, text: string): Answer {
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const error = body?.error as { message?: unknown } | undefined;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  return { status, body, message };
}

/** Runs `herald listen`; returns the exit code (0 after Ctrl-C, 1 on a failure, 2 on bad flags). */
export async function listenCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const say = (line: string) => process.stderr.write(`herald listen: ${line}\n`);
  let opts: ListenOptions;
  try {
    const parsed = parseListenArgs(argv, env);
    if (parsed === 'help') {
      process.stdout.write(LISTEN_HELP);
      return 0;
    }
    opts = parsed;
  } catch (err) {
    say(`${(err as Error).message}\nRun 'herald listen --help' for usage.`);
    return 2;
  }

  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const auth = { authorization: `Bearer ${opts.token}` };

  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Answer> {
    const res = await request(`${opts.api}${path}`, {
      method,
      dispatcher: agent,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return answerOf(res.statusCode, await res.body.text());
  }

  async function findTenant(): Promise<string> {
    const who = await call('GET', '/v1/portal/session');
    if (who.status !== 200) throw new FatalError(`Herald refused the token: ${who.message}`);
    if (who.body?.role === 'portal') {
      throw new FatalError('a customer-portal session cannot listen: use a tenant token or an admin key');
    }
    const tenantId = typeof who.body?.tenantId === 'string' ? who.body.tenantId : null;
    if (tenantId === null) {
      if (opts.tenant === null) throw new UsageError('--tenant is required with an admin key');
      return opts.tenant;
    }
    if (opts.tenant !== null && opts.tenant !== tenantId) {
      throw new UsageError(`--tenant '${opts.tenant}' is not the token's tenant ('${tenantId}')`);
    }
    return tenantId;
  }

  let created: string | null = null;
  let base = '';
  const inFlight = new Set<AbortController>();

  async function forward(d: Delivery): Promise<void> {
    const started = performance.now();
    const abort = new AbortController();
    inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(new DOMException('timed out', 'TimeoutError')), d.timeoutMs);
    let answer: RelayAnswer;
    let shown: string;
    try {
      const res = await request(opts.forward, {
        method: d.method as 'POST',
        headers: forwardedHeaders(d.headers),
        body: d.body,
        dispatcher: agent,
        signal: abort.signal,
      });
      const body = await readLimited(res.body);
      answer = { status: res.statusCode, headers: answerHeaders(res.headers), body };
      shown = String(res.statusCode);
    } catch (err) {
      const kind = errorKind(abort.signal.aborted ? abort.signal.reason : err);
      const why = kind === 'timeout' ? `no answer within ${d.timeoutMs} ms` : (err as Error).message;
      const message = storable(`herald listen could not reach ${opts.forward}: ${why}`).slice(0, 1000);
      answer = { error: { kind, message } };
      shown = `error ${kind} (${why})`;
    } finally {
      clearTimeout(timer);
      inFlight.delete(abort);
    }
    if (stop.signal.aborted) return;
    const ms = Math.round(performance.now() - started);
    let note = '';
    try {
      const posted = await call('POST', `${base}/listen/${encodeURIComponent(d.id)}`, answer);
      if (posted.status === 404) note = '  (too late: Herald stopped waiting and retries the delivery)';
      else if (posted.status !== 204) note = `  (Herald refused the answer: ${posted.message})`;
    } catch (err) {
      note = `  (could not return the answer to Herald: ${(err as Error).message})`;
    }
    const id = d.headers['webhook-id'] ?? d.id;
    process.stdout.write(
      `${new Date().toISOString()}  ${d.eventType || '-'}  ${id}  ${shown}  ${ms} ms${note}\n`,
    );
  }

  function onEvent(event: string, data: string, connected: () => void): void {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(data) as Record<string, unknown>;
    } catch {
      say(`ignored a '${event}' event that is not JSON`);
      return;
    }
    if (event === 'ready') {
      connected();
      say(`connected: deliveries of ${String(payload.endpointId)} go to ${opts.forward} (Ctrl-C to stop)`);
      if (payload.status !== 'active') {
        say(`note: the endpoint is ${String(payload.status)}, so Herald delivers nothing to it`);
      }
      if (payload.active === false)
        say('on standby: a newer herald listen of this endpoint gets its deliveries');
    } else if (event === 'standby') {
      say('on standby: another herald listen connected to this endpoint and gets its deliveries');
    } else if (event === 'active') {
      say('active again: deliveries come here');
    } else if (event === 'delivery') {
      void forward(payload as unknown as Delivery);
    }
  }

  /** One connection to the stream: resolves with why it ended; throws FatalError when retrying cannot help. */
  async function streamOnce(connected: () => void): Promise<string> {
    const res = await request(`${opts.api}${base}/listen`, {
      dispatcher: agent,
      headers: { ...auth, accept: 'text/event-stream' },
      signal: stop.signal,
      headersTimeout: 15_000,
      bodyTimeout: STREAM_IDLE_MS,
    });
    if (res.statusCode !== 200) {
      const { message } = answerOf(res.statusCode, await res.body.text().catch(() => ''));
      if (res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429) {
        throw new FatalError(message);
      }
      return `Herald answered ${res.statusCode}: ${message}`;
    }
    const decoder = new TextDecoder();
    const feed = sseParser((event, data) => onEvent(event, data, connected));
    for await (const chunk of res.body) feed(decoder.decode(chunk as Buffer, { stream: true }));
    return 'Herald closed the stream';
  }

  let code = 0;
  try {
    const tenant = await findTenant();
    const endpoints = `/v1/tenants/${encodeURIComponent(tenant)}/endpoints`;
    if (opts.endpoint === null) {
      const res = await call('POST', endpoints, {
        url: 'relay://',
        name: `herald listen (${hostname().slice(0, 150)})`,
        requireVerification: false,
        ...(opts.events ? { eventTypes: opts.events } : {}),
      });
      if (res.status !== 201) throw new FatalError(`could not create the session endpoint: ${res.message}`);
      created = String(res.body?.id);
      say(`created relay endpoint ${created} for this session (deleted on exit)`);
      say(`  secret: ${String(res.body?.secret)}  (verify signatures with it; shown once)`);
    }
    base = `${endpoints}/${encodeURIComponent(opts.endpoint ?? created!)}`;
    let failures = 0;
    while (!stop.signal.aborted) {
      let why: string;
      try {
        why = await streamOnce(() => {
          failures = 0;
        });
      } catch (err) {
        if (err instanceof FatalError || stop.signal.aborted) throw err;
        const cause = (err as { cause?: Error }).cause?.message;
        why = `${(err as Error).message}${cause ? `: ${cause}` : ''}`;
      }
      if (stop.signal.aborted) break;
      const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
      failures += 1;
      say(`stream lost (${why}); reconnecting in ${wait / 1000} s`);
      await sleep(wait, undefined, { signal: stop.signal }).catch(() => {});
    }
  } catch (err) {
    if (!stop.signal.aborted) {
      const e = err as Error & { cause?: Error };
      if (e instanceof UsageError || e instanceof FatalError) say(e.message);
      else say(`cannot reach Herald at ${opts.api}: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`);
      code = e instanceof UsageError ? 2 : 1;
    }
  } finally {
    for (const abort of inFlight) abort.abort();
    if (created !== null) {
      const res = await call('DELETE', base).catch((err: Error) => ({ status: 0, message: err.message }));
      if (res.status === 204 || res.status === 404) say(`deleted the session endpoint ${created}`);
      else
        say(`could not delete the session endpoint ${created} (${res.message}); delete it: DELETE ${base}`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await agent.destroy();
  }
  return code;
}
