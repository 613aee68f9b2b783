import ipaddr from 'ipaddr.js';
import { HeraldError } from '../domain/errors.ts';

/**
 * Which destinations Herald refuses to send to. Endpoint URLs come from
 * tenants, so without this a tenant could make Herald's workers call the
 * operator's internal services or a cloud metadata endpoint. Only globally
 * routable unicast addresses are allowed unless the operator opts in with
 * HERALD_ALLOW_PRIVATE_NETWORKS.
 */
export interface NetworkPolicy {
  /** `HERALD_ALLOW_PRIVATE_NETWORKS=true`: every address is allowed. */
  allowPrivate: boolean;
  /** Ranges allowed even though they are not public (a CIDR list in HERALD_ALLOW_PRIVATE_NETWORKS). */
  allowedCidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

const ENV_NAME = 'HERALD_ALLOW_PRIVATE_NETWORKS';

/** `undefined`, '' or 'false': nothing private allowed; 'true': everything; else a comma list of CIDRs (a bare address means just that address). */
export function parseAllowPrivateNetworks(value: string | undefined): NetworkPolicy {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed.toLowerCase() === 'false') return { allowPrivate: false, allowedCidrs: [] };
  if (trimmed.toLowerCase() === 'true') return { allowPrivate: true, allowedCidrs: [] };

  const allowedCidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const raw of trimmed.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    allowedCidrs.push(parseCidrEntry(entry));
  }
  return { allowPrivate: false, allowedCidrs };
}

function parseCidrEntry(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  try {
    // Only the usual notations: ipaddr.js also takes forms like '10.0.0/8' or '0x7f.1' that nobody means in a config.
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(entry)) return ipaddr.IPv4.parseCIDR(entry);
    if (ipaddr.IPv6.isValidCIDR(entry)) return ipaddr.IPv6.parseCIDR(entry);
    if (ipaddr.IPv4.isValidFourPartDecimal(entry)) return [ipaddr.IPv4.parse(entry), 32];
    if (ipaddr.IPv6.isValid(entry)) return [ipaddr.IPv6.parse(entry), 128];
  } catch {
    // Falls through to the explanation below.
  }
  throw new HeraldError(
    'config_invalid',
    `${ENV_NAME}: '${entry}' is not a CIDR; use 'true' to allow every address, or a comma-separated list of CIDRs such as 10.0.0.0/8,127.0.0.1/32,::1/128`,
  );
}

// How each ipaddr.js range reads in a message, and a CIDR to suggest allowing.
const IPV4_RANGES: Record<string, { label: string; cidr?: string }> = {
  unspecified: { label: 'an unspecified address', cidr: '0.0.0.0/8' },
  broadcast: { label: 'a broadcast address' },
  multicast: { label: 'a multicast address', cidr: '224.0.0.0/4' },
  linkLocal: { label: 'a link-local address', cidr: '169.254.0.0/16' },
  loopback: { label: 'a loopback address', cidr: '127.0.0.0/8' },
  carrierGradeNat: { label: 'a carrier-grade NAT (shared) address', cidr: '100.64.0.0/10' },
  private: { label: 'a private address' },
  reserved: { label: 'a reserved address' },
};
const IPV6_RANGES: Record<string, { label: string; cidr?: string }> = {
  unspecified: { label: 'an unspecified address' },
  linkLocal: { label: 'a link-local address', cidr: 'fe80::/10' },
  multicast: { label: 'a multicast address', cidr: 'ff00::/8' },
  loopback: { label: 'a loopback address', cidr: '::1/128' },
  uniqueLocal: { label: 'a unique-local (private) address', cidr: 'fc00::/7' },
  deprecatedSiteLocal: { label: 'a site-local (private) address', cidr: 'fec0::/10' },
  reserved: { label: 'a reserved address' },
};

const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200']);

/**
 * Why this address is refused, or null when it may be connected to. The
 * message names the kind of address and how to allow it, since the person
 * reading it is usually an operator testing against a local receiver.
 */
export function forbiddenReason(ip: string, policy: NetworkPolicy): string | null {
  if (policy.allowPrivate) return null;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(stripBrackets(ip));
  } catch {
    return `'${ip}' is not an IP address`;
  }
  // An IPv6 address that carries an IPv4 one reaches that IPv4 host: judge the IPv4 address.
  const embedded = embeddedIPv4(addr);
  if (isAllowedByCidr(addr, policy) || (embedded && isAllowedByCidr(embedded, policy))) return null;

  const shown = addr.toString();
  if (embedded) {
    const inner = classify(embedded);
    return inner === null
      ? null
      : `${shown} maps to ${embedded.toString()}, ${inner.label}; ${howToAllow(inner.cidr)}`;
  }
  const verdict = classify(addr);
  return verdict === null ? null : `${shown} is ${verdict.label}; ${howToAllow(verdict.cidr)}`;
}

function classify(addr: ipaddr.IPv4 | ipaddr.IPv6): { label: string; cidr: string } | null {
  const text = addr.toString();
  const host = addr.kind() === 'ipv4' ? `${text}/32` : `${text}/128`;
  const metadata = METADATA_ADDRESSES.has(text) ? ' (a cloud metadata service)' : '';

  if (addr.kind() === 'ipv4') {
    const range = addr.range();
    if (range === 'unicast') return null;
    const known = IPV4_RANGES[range];
    if (range === 'private')
      return { label: 'a private address', cidr: privateIPv4Cidr(addr as ipaddr.IPv4) };
    if (known) return { label: known.label + metadata, cidr: known.cidr ?? host };
    return { label: `a special-purpose address (${range})`, cidr: host };
  }

  const v6 = addr as ipaddr.IPv6;
  const range = v6.range();
  // ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/96 are not public destinations.
  if (range === 'unicast' && v6.parts.slice(0, 6).every((p) => p === 0)) {
    return { label: 'an IPv4-compatible (deprecated) address', cidr: host };
  }
  if (range === 'unicast') return null;
  const known = IPV6_RANGES[range];
  if (known) return { label: known.label + metadata, cidr: known.cidr ?? host };
  return { label: `a special-purpose address (${range})`, cidr: host };
}

function privateIPv4Cidr(addr: ipaddr.IPv4): string {
  const [a, b] = addr.octets;
  if (a === 10) return '10.0.0.0/8';
  if (a === 172 && b !== undefined && b >= 16 && b <= 31) return '172.16.0.0/12';
  return '192.168.0.0/16';
}

function howToAllow(cidr: string): string {
  return `set ${ENV_NAME}=true (or a CIDR list such as ${cidr}) to allow it`;
}

/** The IPv4 address inside an IPv4-mapped, IPv4-translated (::ffff:0:a.b.c.d) or NAT64 (64:ff9b::/96) address. */
function embeddedIPv4(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | null {
  if (addr.kind() !== 'ipv6') return null;
  const v6 = addr as ipaddr.IPv6;
  const range = v6.range();
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && range !== 'rfc6052') return null;
  const hi = v6.parts[6] ?? 0;
  const lo = v6.parts[7] ?? 0;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function isAllowedByCidr(addr: ipaddr.IPv4 | ipaddr.IPv6, policy: NetworkPolicy): boolean {
  return policy.allowedCidrs.some(([base, bits]) => base.kind() === addr.kind() && addr.match(base, bits));
}

function stripBrackets(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}
