import { describe, expect, it } from 'vitest';
import { classifyAddress, ipv6Bytes } from './address-policy.ts';

const refused: [string, string][] = [
  // IPv4
  ['0.0.0.0', 'this network'],
  ['0.255.255.255', 'this network'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'link-local (cloud metadata)'],
  ['169.254.0.1', 'link-local (cloud metadata)'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved (and broadcast)'],
  ['255.255.255.255', 'reserved (and broadcast)'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'site-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456:789a::1', 'unique-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['100::1', 'not global unicast'],
  ['64:ff9b:1::a00:1', 'not global unicast'],
  ['2001:db8::1', 'documentation'],
  ['2001::1', 'IETF protocol assignments (Teredo, ORCHID, ...)'],
  ['3fff::1', 'documentation'],
  ['5f00::1', 'not global unicast'], // SRv6 SIDs
];

const refusedEmbedded: [string, string][] = [
  ['::ffff:127.0.0.1', 'IPv4-mapped of 127.0.0.1: loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped of 127.0.0.1: loopback'],
  ['::ffff:169.254.169.254', 'IPv4-mapped of 169.254.169.254: link-local (cloud metadata)'],
  ['::ffff:a9fe:a9fe', 'IPv4-mapped of 169.254.169.254: link-local (cloud metadata)'],
  ['::ffff:10.1.2.3', 'IPv4-mapped of 10.1.2.3: private'],
  ['0:0:0:0:0:ffff:192.168.0.1', 'IPv4-mapped of 192.168.0.1: private'],
  ['64:ff9b::10.0.0.1', 'NAT64 of 10.0.0.1: private'],
  ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1: loopback'],
  ['2002:7f00:1::', '6to4 of 127.0.0.1: loopback'],
  ['2002:c0a8:101::1', '6to4 of 192.168.1.1: private'],
  ['::127.0.0.1', 'IPv4-compatible of 127.0.0.1: loopback'],
];

const allowed = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.215.14',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above CGNAT
  '172.15.255.255', // just below 172.16/12
  '172.32.0.0', // just above
  '192.169.0.1',
  '198.20.0.1',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '64:ff9b::8.8.8.8',
  '2002:808:808::1',
];

describe('classifyAddress', () => {
  it.each(refused)('refuses %s (%s)', (ip, reason) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, reason });
  });

  it.each(refusedEmbedded)('judges the IPv4 address inside %s', (ip, reason) => {
    expect(classifyAddress(ip)).toEqual({ allowed: false, reason });
  });

  it.each(allowed)('allows public %s', (ip) => {
    expect(classifyAddress(ip)).toEqual({ allowed: true });
  });

  it('refuses scoped IPv6 and anything that is not an address', () => {
    expect(classifyAddress('fe80::1%eth0').allowed).toBe(false);
    expect(classifyAddress('example.com')).toEqual({ allowed: false, reason: 'not an IP address' });
    expect(classifyAddress('127.1').allowed).toBe(false);
    expect(classifyAddress('0x7f000001').allowed).toBe(false);
  });
});

describe('ipv6Bytes', () => {
  it('expands compressed forms and a trailing dotted quad', () => {
    expect(Array.from(ipv6Bytes('::1'))).toEqual([...new Array(15).fill(0), 1]);
    expect(Array.from(ipv6Bytes('::ffff:1.2.3.4')).slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(ipv6Bytes('2001:db8::8:800:200c:417a'))).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0x08, 0x08, 0, 0x20, 0x0c, 0x41, 0x7a,
    ]);
    expect(Array.from(ipv6Bytes('1:2:3:4:5:6:7:8'))).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  });
});
