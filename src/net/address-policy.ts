import { isIPv4, isIPv6 } from 'node:net';

/** Where outgoing requests may go besides public addresses (ALLOW_PRIVATE_TARGETS). */
export type PrivateTargetPolicy = 'none' | 'loopback' | 'all';

export type AddressClass = 'public' | 'loopback' | 'private';

/** [network, prefix length] of IPv4 ranges that are not public, beyond loopback 127.0.0.0/8. */
const IPV4_NOT_PUBLIC: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // CGNAT shared address space
  ['169.254.0.0', 16], // link-local (cloud metadata 169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1 (documentation)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** [first 16-bit groups, prefix length] of IPv6 ranges inside 2000::/3 that are not public. */
const IPV6_GLOBAL_NOT_PUBLIC: readonly [number[], number][] = [
  [[0x2001, 0x0db8], 32], // documentation
  [[0x3fff, 0x0000], 20], // documentation (RFC 9637)
  [[0x2001, 0x0000], 23], // IETF protocol assignments (ORCHID, benchmarking...; Teredo is judged first)
];

/**
 * Classifies an IP literal by where a packet to it ends up. IPv6 addresses that carry an IPv4
 * address — IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (deprecated), IPv4-
 * translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`
 * (server and obfuscated client) — are judged by that IPv4 address (Teredo: the stricter of the
 * two). Other IPv6 addresses are public only in global unicast 2000::/3 outside documentation and
 * IETF-reserved blocks; ULA, link-local, site-local (fec0::/10), multicast, discard (100::/64),
 * the local-use NAT64 prefix and everything unassigned are private. Anything that is not an IP
 * literal is `private` (refused).
 */
export function classifyAddress(raw: string): AddressClass {
  const address = raw.replace(/^\[|\]$/g, '');
  if (isIPv4(address)) return classifyIpv4(ipv4ToInt(address));
  const groups = parseIpv6(address);
  return groups === undefined ? 'private' : classifyIpv6(groups);
}

export function isAddressAllowed(address: string, policy: PrivateTargetPolicy): boolean {
  if (!isIpLiteral(address)) return false;
  const kind = classifyAddress(address);
  if (kind === 'public' || policy === 'all') return true;
  return kind === 'loopback' && policy === 'loopback';
}

/** True for an IPv4 or IPv6 literal (brackets and an IPv6 zone allowed). */
export function isIpLiteral(raw: string): boolean {
  const address = raw.replace(/^\[|\]$/g, '');
  return isIPv4(address) || parseIpv6(address) !== undefined;
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

function classifyIpv4(v4: number): AddressClass {
  if (v4 >>> 24 === 127) return 'loopback';
  for (const [net, bits] of IPV4_NOT_PUBLIC) {
    const mask = (~0 << (32 - bits)) >>> 0;
    if ((v4 & mask) >>> 0 === ipv4ToInt(net)) return 'private';
  }
  return 'public';
}

function classifyIpv6(g: number[]): AddressClass {
  const embedded = (hi: number, lo: number): number => ((hi << 16) | lo) >>> 0;
  const zeros = (from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8)) return 'private'; // :: unspecified
  if (zeros(0, 7) && g[7] === 1) return 'loopback'; // ::1
  if (zeros(0, 5) && g[5] === 0xffff) return classifyIpv4(embedded(g[6]!, g[7]!)); // ::ffff:a.b.c.d mapped
  if (zeros(0, 6)) return classifyIpv4(embedded(g[6]!, g[7]!)); // ::a.b.c.d compatible (deprecated)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return classifyIpv4(embedded(g[6]!, g[7]!)); // translated
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return classifyIpv4(embedded(g[6]!, g[7]!)); // NAT64
  if (g[0] === 0x2002) return classifyIpv4(embedded(g[1]!, g[2]!)); // 6to4
  if (g[0] === 0x2001 && g[1] === 0) {
    // Teredo: server IPv4 in groups 2-3, the client's IPv4 inverted in groups 6-7.
    const server = classifyIpv4(embedded(g[2]!, g[3]!));
    const client = classifyIpv4(~embedded(g[6]!, g[7]!) >>> 0);
    if (server === 'private' || client === 'private') return 'private';
    return server === 'loopback' || client === 'loopback' ? 'loopback' : 'public';
  }
  if ((g[0]! & 0xe000) !== 0x2000) return 'private'; // outside global unicast 2000::/3
  for (const [prefix, bits] of IPV6_GLOBAL_NOT_PUBLIC) if (inPrefix(g, prefix, bits)) return 'private';
  return 'public';
}

function inPrefix(groups: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i * 16 < bits; i++) {
    const take = Math.min(16, bits - i * 16);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((groups[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4ToInt(dotted: string): number {
  return dotted.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Eight 16-bit groups of an IPv6 literal (`::` compression, trailing dotted IPv4, `%zone`), or undefined. */
function parseIpv6(raw: string): number[] | undefined {
  const address = raw.replace(/%[^%]*$/, '');
  if (!isIPv6(address)) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = ipv4ToInt(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? groups : undefined;
}
