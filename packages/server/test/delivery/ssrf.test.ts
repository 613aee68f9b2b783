import { describe, expect, it } from 'vitest';
import { forbiddenReason, parseAllowPrivateNetworks } from '../../src/delivery/ssrf.ts';
import { HeraldError } from '../../src/domain/errors.ts';

const closed = parseAllowPrivateNetworks(undefined);

describe('forbiddenReason with the default policy', () => {
  it('allows public addresses', () => {
    for (const ip of [
      '93.184.216.34',
      '8.8.8.8',
      '1.1.1.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001:80b::200e',
    ]) {
      expect(forbiddenReason(ip, closed), ip).toBeNull();
    }
  });

  it('refuses loopback with a message that says how to allow it', () => {
    expect(forbiddenReason('127.0.0.1', closed)).toBe(
      '127.0.0.1 is a loopback address; set HERALD_ALLOW_PRIVATE_NETWORKS=true (or a CIDR list such as 127.0.0.0/8) to allow it',
    );
    expect(forbiddenReason('127.8.9.10', closed)).toMatch(/loopback/);
    expect(forbiddenReason('::1', closed)).toMatch(/^::1 is a loopback address; .*::1\/128/);
  });

  it.each([
    ['10.1.2.3', /private address.*10\.0\.0\.0\/8/],
    ['172.16.0.1', /private address.*172\.16\.0\.0\/12/],
    ['172.31.255.255', /private address.*172\.16\.0\.0\/12/],
    ['192.168.1.1', /private address.*192\.168\.0\.0\/16/],
    ['169.254.169.254', /link-local address \(a cloud metadata service\)/],
    ['169.254.10.10', /link-local address/],
    ['0.0.0.0', /unspecified/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['224.0.0.251', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.10', /reserved/],
    ['fc00::1', /unique-local/],
    ['fd00:ec2::254', /unique-local \(private\) address \(a cloud metadata service\)/],
    ['fe80::1', /link-local/],
    ['ff02::1', /multicast/],
    ['::', /unspecified/],
    ['::7f00:1', /IPv4-compatible/],
    ['2001:db8::1', /reserved/],
  ])('refuses %s', (ip, expected) => {
    expect(forbiddenReason(ip, closed)).toMatch(expected);
  });

  it('judges IPv4-mapped and NAT64 IPv6 addresses by the IPv4 address they carry', () => {
    expect(forbiddenReason('::ffff:127.0.0.1', closed)).toMatch(
      /^::ffff:7f00:1 maps to 127\.0\.0\.1, a loopback address/,
    );
    expect(forbiddenReason('::ffff:169.254.169.254', closed)).toMatch(
      /maps to 169\.254\.169\.254, a link-local/,
    );
    expect(forbiddenReason('::ffff:10.0.0.1', closed)).toMatch(/private/);
    expect(forbiddenReason('64:ff9b::a00:1', closed)).toMatch(/maps to 10\.0\.0\.1/);
    expect(forbiddenReason('::ffff:8.8.8.8', closed)).toBeNull();
  });

  it('refuses what is not an address at all', () => {
    expect(forbiddenReason('not-an-ip', closed)).toMatch(/not an IP address/);
  });

  it('accepts bracketed IPv6 as URLs write it', () => {
    expect(forbiddenReason('[::1]', closed)).toMatch(/loopback/);
  });
});

describe('forbiddenReason with an operator policy', () => {
  it("'true' allows everything", () => {
    const open = parseAllowPrivateNetworks('true');
    for (const ip of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1']) {
      expect(forbiddenReason(ip, open), ip).toBeNull();
    }
  });

  it('a CIDR list allows exactly those ranges', () => {
    const policy = parseAllowPrivateNetworks('10.0.0.0/8, 127.0.0.1/32,::1/128');
    expect(forbiddenReason('10.200.3.4', policy)).toBeNull();
    expect(forbiddenReason('127.0.0.1', policy)).toBeNull();
    expect(forbiddenReason('::1', policy)).toBeNull();
    expect(forbiddenReason('127.0.0.2', policy)).toMatch(/loopback/);
    expect(forbiddenReason('192.168.0.1', policy)).toMatch(/private/);
    expect(forbiddenReason('169.254.169.254', policy)).toMatch(/link-local/);
  });

  it('an allowed IPv4 range also covers its IPv4-mapped IPv6 form', () => {
    const policy = parseAllowPrivateNetworks('127.0.0.0/8');
    expect(forbiddenReason('::ffff:127.0.0.1', policy)).toBeNull();
    expect(forbiddenReason('::ffff:10.0.0.1', policy)).toMatch(/private/);
  });
});

describe('parseAllowPrivateNetworks', () => {
  it('reads unset, empty and false as nothing allowed', () => {
    for (const value of [undefined, '', '  ', 'false', 'FALSE']) {
      expect(parseAllowPrivateNetworks(value)).toEqual({ allowPrivate: false, allowedCidrs: [] });
    }
  });

  it("reads 'true' in any case", () => {
    expect(parseAllowPrivateNetworks('True').allowPrivate).toBe(true);
  });

  it('parses CIDRs and bare addresses, ignoring empty entries', () => {
    const policy = parseAllowPrivateNetworks('10.0.0.0/8,,192.168.1.5, fd00::/8');
    expect(policy.allowPrivate).toBe(false);
    expect(policy.allowedCidrs.map(([ip, bits]) => `${ip.toString()}/${bits}`)).toEqual([
      '10.0.0.0/8',
      '192.168.1.5/32',
      'fd00::/8',
    ]);
  });

  it.each(['10.0.0.0/33', 'abc', '10.0.0/8', 'yes', '::1/129', '0x7f.1'])(
    'rejects %s with a config error',
    (bad) => {
      let caught: unknown;
      try {
        parseAllowPrivateNetworks(`127.0.0.0/8,${bad}`);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HeraldError);
      expect((caught as HeraldError).code).toBe('config_invalid');
      expect((caught as HeraldError).message).toContain(
        `HERALD_ALLOW_PRIVATE_NETWORKS: '${bad}' is not a CIDR`,
      );
    },
  );
});
