import { BlockList, isIP } from 'node:net';

/** Where outgoing requests may go besides public addresses (ALLOW_PRIVATE_TARGETS). */
export type PrivateTargetPolicy = 'none' | 'loopback' | 'all';

export type AddressClass = 'public' | 'loopback' | 'private';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Private, link-local (cloud metadata), CGNAT, unspecified, multicast and reserved ranges. */
const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

/** `::ffff:a.b.c.d` or `::ffff:7f00:1` → `a.b.c.d`; other addresses unchanged. */
export function unmapIpv4(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return address;
}

/** Classifies an IP literal. Anything that is not an IP is treated as private (refused). */
export function classifyAddress(raw: string): AddressClass {
  const address = unmapIpv4(raw.replace(/^\[|\]$/g, ''));
  const family = isIP(address);
  if (family === 0) return 'private';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (loopback.check(address, type)) return 'loopback';
  if (privateRanges.check(address, type)) return 'private';
  return 'public';
}

export function isAddressAllowed(address: string, policy: PrivateTargetPolicy): boolean {
  const kind = classifyAddress(address);
  if (kind === 'public' || policy === 'all') return true;
  return kind === 'loopback' && policy === 'loopback';
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761). */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}
