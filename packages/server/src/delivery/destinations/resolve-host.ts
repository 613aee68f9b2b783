/**
 * The private-network policy for brokers. A broker URL comes from a tenant,
 * so its host is resolved here, every address is checked (a name with one
 * public and one internal address is refused, since a client could reach
 * either), and the kind then connects to the checked address rather than
 * the name: a second lookup could answer differently (DNS rebinding).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AttemptError } from '../../domain/types.ts';
import { forbiddenReason, type NetworkPolicy } from '../ssrf.ts';

export interface ResolvedHost {
  /** The checked IP address to connect to. */
  address: string;
  family: 4 | 6;
  /** The host as written, for TLS SNI and certificate checks; undefined when it is an IP literal. */
  servername: string | undefined;
}

/** The URL's host, without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** `address:port` for a client that takes a host and port in one string (IPv6 in brackets). */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Resolves and checks the URL's host; an error (`private_network` or `dns`) when it may not be connected to. */
export async function resolveHost(
  url: URL,
  policy: NetworkPolicy,
): Promise<{ host: ResolvedHost } | { error: AttemptError }> {
  const host = bareHost(url);
  const literal = isIP(host);
  if (literal !== 0) {
    const reason = forbiddenReason(host, policy);
    if (reason !== null) return { error: { kind: 'private_network', message: reason } };
    return { host: { address: host, family: literal === 6 ? 6 : 4, servername: undefined } };
  }

  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { error: { kind: 'dns', message: `could not resolve ${host} (${String(code ?? err)})` } };
  }
  for (const { address } of addresses) {
    const reason = forbiddenReason(address, policy);
    if (reason !== null) {
      return {
        error: { kind: 'private_network', message: `${host} resolves to a refused address: ${reason}` },
      };
    }
  }
  const first = addresses[0];
  if (!first) return { error: { kind: 'dns', message: `${host} has no address` } };
  return { host: { address: first.address, family: first.family === 6 ? 6 : 4, servername: host } };
}
