import { BlockList, isIP, isIPv4 } from 'node:net';
import { type Allowlist, stripBrackets } from './allowlist.ts';

/**
 * Which IP addresses an outbound request may connect to. Everything that is not
 * plainly public unicast is refused: a URL supplied by a client must never reach
 * our own network, cloud metadata endpoints or the host itself.
 */

/** IPv4 special-purpose ranges (IANA registry, RFC 6890 and successors). */
const BLOCKED_V4: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.31.196.0', 24, 'AS112'],
  ['192.52.193.0', 24, 'AMT'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['192.175.48.0', 24, 'AS112'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and broadcast)'],
];

/**
 * IPv6 ranges refused inside global unicast 2000::/3 (everything outside it is
 * refused anyway: loopback, unspecified, unique-local, link-local, multicast...).
 */
const BLOCKED_V6: readonly [string, number, string][] = [
  ['2001::', 23, 'IETF protocol assignments (Teredo, ORCHID, ...)'],
  ['2001:db8::', 32, 'documentation'],
  ['3fff::', 20, 'documentation'],
];

const v4List = new BlockList();
for (const [network, prefix] of BLOCKED_V4) v4List.addSubnet(network, prefix, 'ipv4');
const v6List = new BlockList();
for (const [network, prefix] of BLOCKED_V6) v6List.addSubnet(network, prefix, 'ipv6');
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');

export interface AddressVerdict {
  allowed: boolean;
  /** Why it is refused (for logs and error details). */
  reason?: string;
}

/** Classify one IP address (v4 or v6, optionally bracketed or with a zone id). */
export function classifyAddress(raw: string): AddressVerdict {
  const ip = stripBrackets(raw);
  const family = isIP(ip);
  if (family === 4) return classifyV4(ip);
  if (family !== 6) return { allowed: false, reason: 'not an IP address' };
  if (ip.includes('%')) return { allowed: false, reason: 'scoped (link-local) IPv6 address' };
  const bytes = ipv6Bytes(ip);
  const embedded = embeddedV4(bytes);
  if (embedded) {
    // The connection ends up at the embedded IPv4 address: judge that one.
    const verdict = classifyV4(embedded.v4);
    return verdict.allowed
      ? verdict
      : { allowed: false, reason: `${embedded.kind} of ${embedded.v4}: ${verdict.reason}` };
  }
  if (!globalUnicast.check(ip, 'ipv6')) return { allowed: false, reason: describeNonGlobalV6(bytes) };
  if (!v6List.check(ip, 'ipv6')) return { allowed: true };
  const match = BLOCKED_V6.find(([network, prefix]) => inSubnetV6(bytes, network, prefix));
  return { allowed: false, reason: match?.[2] ?? 'reserved' };
}

function classifyV4(ip: string): AddressVerdict {
  if (!v4List.check(ip, 'ipv4')) return { allowed: true };
  const match = BLOCKED_V4.find(([network, prefix]) => inSubnetV4(ip, network, prefix));
  return { allowed: false, reason: match?.[2] ?? 'reserved' };
}

function describeNonGlobalV6(bytes: Uint8Array): string {
  const b0 = bytes[0] ?? 0;
  const b1 = bytes[1] ?? 0;
  if (bytes.every((b, i) => (i === 15 ? b === 1 : b === 0))) return 'loopback';
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if ((b0 & 0xfe) === 0xfc) return 'unique-local';
  if (b0 === 0xfe && (b1 & 0xc0) === 0x80) return 'link-local';
  if (b0 === 0xfe && (b1 & 0xc0) === 0xc0) return 'site-local';
  if (b0 === 0xff) return 'multicast';
  return 'not global unicast';
}

/**
 * IPv6 forms that carry an IPv4 address the traffic is delivered to:
 * IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and
 * 6to4 2002::/16. (Local-use NAT64 64:ff9b:1::/48 is outside 2000::/3: refused.)
 */
function embeddedV4(bytes: Uint8Array): { kind: string; v4: string } | undefined {
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  const v4At = (offset: number) => Array.from(bytes.subarray(offset, offset + 4)).join('.');
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return { kind: 'IPv4-mapped', v4: v4At(12) };
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) {
    return { kind: 'NAT64', v4: v4At(12) };
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return { kind: '6to4', v4: v4At(2) };
  // ::/96 minus :: and ::1 (IPv4-compatible, deprecated but still routed by some stacks).
  if (zeros(0, 12) && !zeros(12, 15)) return { kind: 'IPv4-compatible', v4: v4At(12) };
  return undefined;
}

/** 16 bytes of an IPv6 address (already validated by net.isIP). */
export function ipv6Bytes(ip: string): Uint8Array {
  let text = ip.split('%')[0] ?? ip;
  const bytes = new Uint8Array(16);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(rest);
  const hextets = rest === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  hextets.forEach((value, i) => {
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function inSubnetV6(bytes: Uint8Array, network: string, prefix: number): boolean {
  const net = ipv6Bytes(network);
  for (let bit = 0; bit < prefix; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] ?? 0) & mask) !== ((net[i] ?? 0) & mask)) return false;
  }
  return true;
}

function inSubnetV4(ip: string, network: string, prefix: number): boolean {
  const list = new BlockList();
  list.addSubnet(network, prefix, 'ipv4');
  return list.check(ip, 'ipv4');
}

/** Allowed when the operator allowlisted the host or the address on this port, or the address is public. */
export function checkAddress(ip: string, hostname: string, port: number, allowlist: Allowlist): AddressVerdict {
  if (allowlist.allowsHost(hostname, port) || allowlist.allowsAddress(ip, port)) return { allowed: true };
  return classifyAddress(ip);
}
