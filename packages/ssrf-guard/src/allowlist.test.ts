import { describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.ts';
import { Allowlist, parseAllowlistEntry } from './allowlist.ts';

describe('Allowlist', () => {
  const list = new Allowlist(['127.0.0.1', '10.1.0.0/16', 'Internal.Example.', 'fd00::/8', ' ']);

  it('lets listed addresses, ranges and hosts through on any port when none is given, and nothing else', () => {
    expect(checkAddress('127.0.0.1', '127.0.0.1', 80, list)).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.1', '127.0.0.1', 6379, list)).toEqual({ allowed: true });
    expect(checkAddress('127.0.0.2', '127.0.0.2', 80, list).allowed).toBe(false);
    expect(checkAddress('10.1.200.3', 'a.example', 443, list)).toEqual({ allowed: true });
    expect(checkAddress('10.2.0.1', 'a.example', 443, list).allowed).toBe(false);
    expect(checkAddress('192.168.0.9', 'internal.example', 80, list)).toEqual({ allowed: true });
    expect(checkAddress('192.168.0.9', 'other.example', 80, list).allowed).toBe(false);
    expect(checkAddress('fd00::5', 'x', 80, list)).toEqual({ allowed: true });
    expect(checkAddress('::1', 'x', 80, list).allowed).toBe(false);
    expect(list.portless).toEqual(['127.0.0.1', '10.1.0.0/16', 'Internal.Example.', 'fd00::/8']);
  });

  it('limits host:port, address:port, CIDR:port, [v6]:port and [v6/len]:port entries to that port', () => {
    const ported = new Allowlist([
      '127.0.0.1:9000',
      'hooks.internal:8443',
      '10.1.0.0/16:8080',
      '[::1]:9001',
      '[fd00::/8]:7000',
      '[fd01::]/16:7001',
    ]);
    const allowed = (ip: string, host: string, port: number) => checkAddress(ip, host, port, ported).allowed;
    expect(allowed('127.0.0.1', '127.0.0.1', 9000)).toBe(true);
    expect(allowed('127.0.0.1', '127.0.0.1', 9001)).toBe(false);
    expect(allowed('127.0.0.1', '127.0.0.1', 6379)).toBe(false);
    expect(allowed('192.168.1.1', 'hooks.internal', 8443)).toBe(true);
    expect(allowed('192.168.1.1', 'HOOKS.internal.', 8443)).toBe(true);
    expect(allowed('192.168.1.1', 'hooks.internal', 443)).toBe(false);
    expect(allowed('10.1.9.9', 'x', 8080)).toBe(true);
    expect(allowed('10.1.9.9', 'x', 8081)).toBe(false);
    expect(allowed('::1', 'x', 9001)).toBe(true);
    expect(allowed('::1', 'x', 9000)).toBe(false);
    expect(allowed('fd00::1', 'x', 7000)).toBe(true);
    expect(allowed('fd00::1', 'x', 7001)).toBe(false);
    expect(allowed('fd01::1', 'x', 7001)).toBe(true);
    expect(ported.portless).toEqual([]);
    // Public addresses stay allowed on every port: the list only adds exceptions.
    expect(allowed('8.8.8.8', 'dns.google', 53)).toBe(true);
  });

  it('allows nothing extra when empty', () => {
    const empty = new Allowlist([]);
    expect(checkAddress('127.0.0.1', 'localhost', 80, empty).allowed).toBe(false);
    expect(checkAddress('8.8.8.8', 'dns.google', 443, empty).allowed).toBe(true);
  });

  it('refuses malformed entries, naming them', () => {
    for (const [entry, why] of [
      ['example.com/8', /CIDR/],
      ['10.0.0.0/33', /prefix/],
      ['127.0.0.1:0', /port/],
      ['127.0.0.1:65536', /port/],
      ['127.0.0.1:http', /expected/],
      ['[127.0.0.1]:80', /IPv6/],
      ['[::1', /expected/],
      ['*.internal', /wildcard/],
      ['http://hooks.internal', /expected|host name/],
      ['gggg::1', /IPv6/],
    ] as const) {
      expect(() => parseAllowlistEntry(entry), entry).toThrow(why);
      expect(() => parseAllowlistEntry(entry), entry).toThrow(`"${entry}"`);
    }
    expect(parseAllowlistEntry('[::1]')).toMatchObject({ network: { address: '::1', prefix: 128 } });
    expect(parseAllowlistEntry('::1').port).toBeUndefined();
  });
});
