import { isIP } from 'node:net';

/**
 * Operator exceptions to the address policy (`SSRF_ALLOWLIST`), each optionally
 * limited to one port, which is what an operator almost always means: with only
 * `127.0.0.1` listed, a client could make us fetch every local port.
 *
 *   hooks.internal          a host name (exact, case-insensitive), any address it resolves to
 *   hooks.internal:9000     ... on port 9000 only
 *   127.0.0.1, 127.0.0.1:9000
 *   10.1.0.0/16, 10.1.0.0/16:8443
 *   ::1, fd00::/8           bare IPv6 (no port: write brackets for one)
 *   [::1]:9000, [fd00::/8]:8443
 */
export interface AllowlistEntry {
  /** The entry as written. */
  text: string;
  host?: string;
  network?: { address: string; prefix: number; family: 'ipv4' | 'ipv6' };
  /** Undefined: every port. */
  port?: number;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const BRACKETED = /^\[([^\]/]+)(?:\/(\d{1,3}))?\](?:\/(\d{1,3}))?(?::(\d{1,5}))?$/;
const PLAIN = /^([^/:]+)(?:\/(\d{1,3}))?(?::(\d{1,5}))?$/;

/** One entry, or an Error saying what is wrong with it (config refuses to start on it). */
export function parseAllowlistEntry(raw: string): AllowlistEntry {
  const text = raw.trim();
  const entry = text.toLowerCase();
  const fail = (why: string): never => {
    throw new Error(`SSRF allowlist entry "${text}": ${why}`);
  };
  let address: string;
  let bits: string | undefined;
  let port: string | undefined;
  const bracketed = BRACKETED.exec(entry);
  const plain = PLAIN.exec(entry);
  if (entry.startsWith('[')) {
    if (!bracketed) return fail('expected [IPv6], [IPv6]:port or [IPv6/prefix]:port');
    address = bracketed[1] as string;
    bits = bracketed[2] ?? bracketed[3];
    port = bracketed[4];
    if (isIP(address) !== 6) return fail('brackets hold an IPv6 address');
  } else if ((entry.match(/:/g) ?? []).length >= 2) {
    // Bare IPv6: a trailing ":port" cannot be told apart from the address, so none is read.
    [address, bits] = entry.split('/') as [string, string | undefined];
    if (isIP(address) !== 6) return fail('not an IPv6 address (write [address]:port to give a port)');
  } else if (plain) {
    address = plain[1] as string;
    bits = plain[2];
    port = plain[3];
  } else {
    return fail('expected host, host:port, address, address:port or CIDR[:port]');
  }
  const result: AllowlistEntry = { text };
  if (port !== undefined) {
    const number = Number(port);
    if (!(number >= 1 && number <= 65535)) return fail('port must be 1 to 65535');
    result.port = number;
  }
  const family = isIP(address);
  if (family === 0) {
    if (bits !== undefined) return fail('a CIDR needs an IP address');
    const host = address.replace(/\.$/, '');
    if (!HOST_NAME.test(host)) return fail('not a host name, IP address or CIDR (wildcards are not supported)');
    result.host = host;
    return result;
  }
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return fail('bad prefix length');
  result.network = { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
  return result;
}
