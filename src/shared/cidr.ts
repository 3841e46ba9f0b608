import { BlockList, isIP } from 'node:net';

/** One address range: `203.0.113.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128). */
export interface Cidr {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/** Parses `addr[/prefix]` (IPv4 or IPv6); null when it is not one. A bare address is the host route. */
export function parseCidr(text: string): Cidr | null {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) return null;
  const raw = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const version = isIP(raw);
  if (version === 0 || raw.includes('%')) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { family: version === 4 ? 'ipv4' : 'ipv6', address: raw.toLowerCase(), prefix };
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) → `192.0.2.1`; anything else unchanged. */
export function unmapIpv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] ?? address;
}

/** A set of address ranges; `has(address)` for a peer's IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4). */
export class CidrList {
  readonly #list = new BlockList();
  readonly #size: number;

  constructor(ranges: readonly Cidr[]) {
    for (const r of ranges) this.#list.addSubnet(r.address, r.prefix, r.family);
    this.#size = ranges.length;
  }

  /** Ranges from text; entries that are not CIDRs are skipped (validate them first with parseCidr). */
  static of(texts: readonly string[]): CidrList {
    return new CidrList(texts.map(parseCidr).filter((c): c is Cidr => c !== null));
  }

  get empty(): boolean {
    return this.#size === 0;
  }

  has(address: string): boolean {
    // A zone id (`fe80::1%eth0`) is dropped: ranges are written without one.
    const a = unmapIpv4(address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''));
    const version = isIP(a);
    if (version === 0) return false;
    try {
      return this.#list.check(a, version === 4 ? 'ipv4' : 'ipv6');
    } catch {
      return false;
    }
  }
}
