import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { lookup as dnsLookupAsync } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildConnector, type Dispatcher, Pool, ProxyAgent } from 'undici';
import { redactUrl } from '../domain/redact.ts';
import type { AttemptErrorKind } from '../domain/types.ts';
import { ConnectionPools } from './connection-pools.ts';
import { PrivateNetworkError } from './http-errors.ts';
import { failedResult, type OutboundRequest, type OutboundResult } from './outbound-types.ts';
import { PooledRequest } from './pooled-request.ts';
import { forbiddenReason, type NetworkPolicy } from './ssrf.ts';

export type { OutboundRequest, OutboundResult } from './outbound-types.ts';
export { failedResult } from './outbound-types.ts';

/**
 * How long a request may wait for a connection (a free one in its pool, DNS,
 * TCP, TLS, the proxy's tunnel) before it is written. The dispatcher's lease
 * margin covers it, so a lease never ends while its request is still out.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface HttpClientOptions {
  policy: NetworkPolicy;
  /** Connections per origin for requests without a `pool` key (test sends, ownership challenges); default 64. */
  connectionsPerOrigin?: number;
  /** Requests in flight at once across every pool; default 1,024. */
  maxConnections?: number;
  /** See CONNECT_TIMEOUT_MS (the default). */
  connectTimeoutMs?: number;
  /** A pool nobody used for this long is closed; default 30 s. */
  idlePoolMs?: number;
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

/**
 * The one outbound HTTP client. Requests of one endpoint travel on that
 * endpoint's own connections (connection-pools.ts), so a hung endpoint ties
 * up only its own sockets, never those of another endpoint on the same host.
 * Every new connection is checked against the network policy on the address
 * it actually connects to, after DNS resolution, so a name that resolves to
 * a public address at validation time and a private one later gets nowhere.
 *
 * Two deadlines: getting a connection (CONNECT_TIMEOUT_MS), then the
 * endpoint's `timeoutMs` from the moment the request is written, so time
 * spent waiting for a socket never eats into the receiver's time to answer.
 */
export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const maxResponseBytes = opts.maxResponseBytes ?? 65_536;
  const clock = opts.clock ?? (() => performance.now());
  const policy = opts.policy;
  const perOrigin = opts.connectionsPerOrigin ?? 64;
  const connectTimeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const connector = guardedConnector(policy, connectTimeoutMs);
  const proxyUrl = opts.proxyUrl;
  // Through a proxy the proxy resolves the name, so the check runs before the
  // request (a rebinding window remains: the proxy's own egress rules are the last word).
  const pools = new ConnectionPools(
    (origin, connections): Dispatcher =>
      proxyUrl
        ? new ProxyAgent({ uri: proxyUrl, connections, pipelining: 1 })
        : new Pool(origin, { connections, pipelining: 1, connect: connector }),
    opts.idlePoolMs ?? 30_000,
    opts.maxConnections ?? 1024,
  );

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
    const lease = pools.lease(
      req.pool?.key ?? '*',
      url.origin,
      req.pool ? Math.max(1, req.pool.connections) : perOrigin,
    );
    const request = new PooledRequest(req, url, lease, { pools, connectTimeoutMs, maxResponseBytes });
    const outcome = await request.run(proxyUrl ? () => checkBeforeProxy(url.hostname, policy) : null);
    return { ...outcome, durationMs: elapsed() };
  }

  return { send, close: () => pools.close() };
}

/** undici's connector, wrapped so that IP literals and every resolved address pass the policy first. */
function guardedConnector(policy: NetworkPolicy, timeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy), timeout: timeoutMs });
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
