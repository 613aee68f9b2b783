import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, type Dispatcher, ProxyAgent } from 'undici';
import { redactUrl } from '../domain/redact.ts';
import type { AttemptError, AttemptErrorKind, HttpMethod } from '../domain/types.ts';
import { forbiddenReason, type NetworkPolicy } from './ssrf.ts';

/** One HTTP request to an endpoint, fully built (URL substituted, headers signed). */
export interface OutboundRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What came back. Failures are data: `error` says what went wrong, `status` is null when no response arrived. */
export interface OutboundResult {
  status: number | null;
  headers: Record<string, string> | null;
  /** The first `maxResponseBytes` of the body, as UTF-8. */
  body: string | null;
  durationMs: number;
  error: AttemptError | null;
}

/** A request that got no response: what went wrong, as data. */
export function failedResult(kind: AttemptErrorKind, message: string, durationMs = 0): OutboundResult {
  return { status: null, headers: null, body: null, durationMs, error: { kind, message } };
}

export interface HttpClientOptions {
  policy: NetworkPolicy;
  /** Connections kept per origin (scheme + host + port); default 64. */
  connectionsPerOrigin?: number;
  /** HERALD_EGRESS_PROXY: send everything through this HTTP proxy. */
  proxyUrl?: string;
  /** Response bytes kept for the attempt log; default 65,536. The rest is not read. */
  maxResponseBytes?: number;
  /** For durations; default a monotonic clock. */
  clock?: () => number;
}

export interface HttpClient {
  send(req: OutboundRequest): Promise<OutboundResult>;
  close(): Promise<void>;
}

/** A destination refused by the network policy; carries forbiddenReason's message. */
class PrivateNetworkError extends Error {
  readonly code = 'HERALD_PRIVATE_NETWORK';
}

/** The request's deadline passed (connect, headers and body share one budget). */
class DeadlineError extends Error {
  readonly code = 'HERALD_DEADLINE';
}

/**
 * The one outbound HTTP client. One undici Agent gives each origin its own
 * pool, so a slow endpoint ties up only its own connections. Every new
 * connection is checked against the network policy on the address it
 * actually connects to, after DNS resolution, so a name that resolves to a
 * public address at validation time and a private one later gets nowhere.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const maxResponseBytes = opts.maxResponseBytes ?? 65_536;
  const clock = opts.clock ?? (() => performance.now());
  const policy = opts.policy;
  const poolOptions = { connections: opts.connectionsPerOrigin ?? 64, pipelining: 1 };

  // Through a proxy the proxy resolves the name, so the check runs before the
  // request (a rebinding window remains: the proxy's own egress rules are the last word).
  const dispatcher: Dispatcher = opts.proxyUrl
    ? new ProxyAgent({ uri: opts.proxyUrl, ...poolOptions })
    : new Agent({ ...poolOptions, connect: guardedConnector(policy) });

  async function send(req: OutboundRequest): Promise<OutboundResult> {
    const started = clock();
    const elapsed = () => Math.max(0, Math.round(clock() - started));
    const fail = (kind: AttemptErrorKind, message: string) => failedResult(kind, message, elapsed());

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return fail('invalid_url', `'${redactUrl(req.url)}' is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return fail('invalid_url', `only http: and https: URLs can receive webhooks, not ${url.protocol}`);
    }

    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DeadlineError(`no complete response within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    let status: number | null = null;
    let headers: Record<string, string> | null = null;
    const body = new BodyCollector(maxResponseBytes);
    try {
      if (opts.proxyUrl) await checkBeforeProxy(url.hostname, policy);
      const res = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: withUrlCredentials(req.headers, url),
        body: req.body,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      status = res.statusCode;
      headers = flattenHeaders(res.headers);
      // Stop reading at the limit: breaking out destroys the stream instead of buffering the rest.
      for await (const chunk of res.body) {
        if (!body.add(chunk as Buffer)) break;
      }
    } catch (err) {
      const error = describeError(err, url, req.timeoutMs);
      return { status, headers, body: status === null ? null : body.text(), durationMs: elapsed(), error };
    } finally {
      clearTimeout(timer);
    }
    return {
      status,
      headers,
      body: body.text(),
      durationMs: elapsed(),
      error: redirectError(status, headers),
    };
  }

  return { send, close: () => dispatcher.close() };
}

/** undici's connector, wrapped so that IP literals and every resolved address pass the policy first. */
function guardedConnector(policy: NetworkPolicy): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy) });
  return (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0) {
      const reason = forbiddenReason(host, policy);
      if (reason !== null) {
        callback(new PrivateNetworkError(reason), null);
        return;
      }
    }
    connect(options, callback);
  };
}

/** A dns.lookup that refuses a name if ANY of its addresses is refused (the socket may try each one). */
function guardedLookup(policy: NetworkPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      for (const { address } of addresses) {
        const reason = forbiddenReason(address, policy);
        if (reason !== null) {
          return callback(
            new PrivateNetworkError(`${hostname} resolves to a refused address: ${reason}`),
            '',
            0,
          );
        }
      }
      const first = addresses[0];
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      if (!first)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

async function checkBeforeProxy(hostname: string, policy: NetworkPolicy): Promise<void> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) !== 0 ? [{ address: host }] : await dnsLookupAsync(host, { all: true });
  for (const { address } of addresses) {
    const reason = forbiddenReason(address, policy);
    if (reason !== null) {
      throw new PrivateNetworkError(
        address === host ? reason : `${host} resolves to a refused address: ${reason}`,
      );
    }
  }
}

/** `https://user:pass@host/…`: receivers often configure Basic auth this way; undici would drop it. */
function withUrlCredentials(headers: Record<string, string>, url: URL): Record<string, string> {
  if ((url.username === '' && url.password === '') || 'authorization' in headers) return headers;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { ...headers, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
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

function redirectError(status: number | null, headers: Record<string, string> | null): AttemptError | null {
  if (status === null || status < 300 || status > 399) return null;
  const location = headers?.location;
  return {
    kind: 'redirect',
    message: location
      ? `redirects are not followed (Location: ${redactUrl(location)})`
      : 'redirects are not followed (the response had no Location header)',
  };
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

function describeError(err: unknown, url: URL, timeoutMs: number): AttemptError {
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
