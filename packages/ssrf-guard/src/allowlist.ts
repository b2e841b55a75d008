import { BlockList, isIP } from 'node:net';
import { type AllowlistEntry, parseAllowlistEntry } from '@infer/contracts';

// The entry format is parsed in contracts, where config validates SSRF_ALLOWLIST without depending on this guard.
export { type AllowlistEntry, parseAllowlistEntry };

/** The parsed SSRF_ALLOWLIST: does an entry allow this host name or address, on this port? */
export class Allowlist {
  private readonly entries: { entry: AllowlistEntry; addresses?: BlockList }[];

  constructor(entries: Iterable<string> = []) {
    this.entries = [...entries]
      .filter((raw) => raw.trim() !== '')
      .map((raw) => {
        const entry = parseAllowlistEntry(raw);
        if (!entry.network) return { entry };
        const addresses = new BlockList();
        addresses.addSubnet(entry.network.address, entry.network.prefix, entry.network.family);
        return { entry, addresses };
      });
  }

  static from(value: Allowlist | Iterable<string> | undefined): Allowlist {
    return value instanceof Allowlist ? value : new Allowlist(value ?? []);
  }

  /** Entries that allow every port (the docs recommend giving one). */
  get portless(): string[] {
    return this.entries.filter(({ entry }) => entry.port === undefined).map(({ entry }) => entry.text);
  }

  allowsHost(hostname: string, port: number): boolean {
    const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
    return this.entries.some(({ entry }) => entry.host === host && portMatches(entry, port));
  }

  allowsAddress(ip: string, port: number): boolean {
    const bare = stripBrackets(ip);
    const family = isIP(bare);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    return this.entries.some(({ entry, addresses }) => addresses?.check(bare, type) && portMatches(entry, port));
  }
}

const portMatches = (entry: AllowlistEntry, port: number): boolean => entry.port === undefined || entry.port === port;

export const stripBrackets = (host: string): string =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;

/** At start-up: say which entries open every port of a private address (the docs recommend host:port). */
export function warnPortless(allowlist: Allowlist, logger: { warn: (fields: object, message: string) => void }): void {
  const entries = allowlist.portless;
  if (entries.length === 0) return;
  logger.warn(
    { entries },
    'SSRF_ALLOWLIST entries without a port allow every port of those hosts; write host:port, address:port or [v6]:port',
  );
}
