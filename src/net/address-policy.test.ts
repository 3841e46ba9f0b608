import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyAddress, isAddressAllowed, type AddressClass } from './address-policy';

/**
 * Every address the guard may see (URL literals after WHATWG normalisation, DNS answers) with
 * what it really reaches, and whether each ALLOW_PRIVATE_TARGETS policy lets a request go there.
 * IPv6 forms that embed an IPv4 address are judged by that address.
 */
const TABLE: [address: string, kind: AddressClass, none: boolean, loopback: boolean, all: boolean, why: string][] = [
  // IPv4
  ['127.0.0.1', 'loopback', false, true, true, 'loopback'],
  ['127.255.0.9', 'loopback', false, true, true, 'loopback /8'],
  ['10.1.2.3', 'private', false, false, true, 'RFC 1918'],
  ['172.16.0.1', 'private', false, false, true, 'RFC 1918'],
  ['192.168.1.1', 'private', false, false, true, 'RFC 1918'],
  ['169.254.169.254', 'private', false, false, true, 'link-local: cloud metadata'],
  ['100.64.0.1', 'private', false, false, true, 'CGNAT'],
  ['0.0.0.0', 'private', false, false, true, 'this network'],
  ['192.0.0.8', 'private', false, false, true, 'IETF protocol assignments'],
  ['192.0.2.1', 'private', false, false, true, 'TEST-NET-1'],
  ['198.51.100.7', 'private', false, false, true, 'TEST-NET-2'],
  ['203.0.113.9', 'private', false, false, true, 'TEST-NET-3'],
  ['198.18.0.1', 'private', false, false, true, 'benchmarking'],
  ['192.88.99.1', 'private', false, false, true, '6to4 relay anycast (deprecated)'],
  ['224.0.0.251', 'private', false, false, true, 'multicast'],
  ['255.255.255.255', 'private', false, false, true, 'broadcast'],
  ['93.184.216.34', 'public', true, true, true, 'public'],
  ['8.8.8.8', 'public', true, true, true, 'public'],
  // IPv6 plain
  ['::1', 'loopback', false, true, true, 'loopback'],
  ['::', 'private', false, false, true, 'unspecified'],
  ['2606:4700::1111', 'public', true, true, true, 'global unicast'],
  ['2a00:1450:4001:82b::200e', 'public', true, true, true, 'global unicast'],
  ['fd00::1', 'private', false, false, true, 'ULA fc00::/7'],
  ['fc00::1', 'private', false, false, true, 'ULA fc00::/7'],
  ['fe80::1', 'private', false, false, true, 'link-local'],
  ['fe80::1%eth0', 'private', false, false, true, 'link-local with a zone'],
  ['fec0::1', 'private', false, false, true, 'site-local (deprecated)'],
  ['feff::1', 'private', false, false, true, 'site-local (deprecated), end of fec0::/10'],
  ['ff02::1', 'private', false, false, true, 'multicast'],
  ['2001:db8::1', 'private', false, false, true, 'documentation'],
  ['3fff::1', 'private', false, false, true, 'documentation (RFC 9637)'],
  ['100::1', 'private', false, false, true, 'discard-only'],
  ['2001:10::1', 'private', false, false, true, 'ORCHID (IETF protocol assignments)'],
  ['5f00::1', 'private', false, false, true, 'SRv6 SIDs'],
  ['4000::1', 'private', false, false, true, 'outside 2000::/3: not assigned'],
  ['64:ff9b:1::a9fe:a9fe', 'private', false, false, true, 'local-use NAT64 prefix'],
  // IPv6 with an embedded IPv4 address
  ['::ffff:127.0.0.1', 'loopback', false, true, true, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'loopback', false, true, true, 'IPv4-mapped loopback (hex)'],
  ['::ffff:a9fe:a9fe', 'private', false, false, true, 'IPv4-mapped metadata'],
  ['::ffff:8.8.8.8', 'public', true, true, true, 'IPv4-mapped public'],
  ['::7f00:1', 'loopback', false, true, true, 'IPv4-compatible loopback (deprecated)'],
  ['::127.0.0.1', 'loopback', false, true, true, 'IPv4-compatible loopback, dotted'],
  ['::a9fe:a9fe', 'private', false, false, true, 'IPv4-compatible metadata'],
  ['::a00:1', 'private', false, false, true, 'IPv4-compatible 10.0.0.1'],
  ['::808:808', 'public', true, true, true, 'IPv4-compatible public'],
  ['::ffff:0:a9fe:a9fe', 'private', false, false, true, 'IPv4-translated metadata (SIIT)'],
  ['::ffff:0:7f00:1', 'loopback', false, true, true, 'IPv4-translated loopback'],
  ['2002:a9fe:a9fe::1', 'private', false, false, true, '6to4 of the metadata address'],
  ['2002:7f00:1::', 'loopback', false, true, true, '6to4 of loopback'],
  ['2002:c0a8:101::1', 'private', false, false, true, '6to4 of 192.168.1.1'],
  ['2002:808:808::1', 'public', true, true, true, '6to4 of a public address'],
  ['64:ff9b::a9fe:a9fe', 'private', false, false, true, 'NAT64 of the metadata address'],
  ['64:ff9b::7f00:1', 'loopback', false, true, true, 'NAT64 of loopback'],
  ['64:ff9b::808:808', 'public', true, true, true, 'NAT64 of a public address'],
  // Teredo: server 65.54.227.120, client = NOT(last 32 bits)
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public', true, true, true, 'Teredo, public server, client 8.8.8.8'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private', false, false, true, 'Teredo whose client is 192.0.2.45'],
  ['2001:0:4136:e378:8000:63bf:80ff:fefe', 'loopback', false, true, true, 'Teredo whose client is 127.0.1.1'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', 'private', false, false, true, 'Teredo whose client is 169.254.169.254'],
  ['2001:0:a00:1::1', 'private', false, false, true, 'Teredo whose server is 10.0.0.1'],
  // not addresses
  ['example.com', 'private', false, false, false, 'a name is never an address'],
  ['', 'private', false, false, false, 'empty'],
  ['1.2.3', 'private', false, false, false, 'not an IPv4 literal'],
];

test('every address is classified by what it reaches, under each ALLOW_PRIVATE_TARGETS policy', () => {
  const wrong: string[] = [];
  for (const [address, kind, none, loopback, all, why] of TABLE) {
    const got = {
      kind: classifyAddress(address),
      none: isAddressAllowed(address, 'none'),
      loopback: isAddressAllowed(address, 'loopback'),
      all: isAddressAllowed(address, 'all'),
    };
    const want = { kind, none, loopback, all };
    if (JSON.stringify(got) !== JSON.stringify(want))
      wrong.push(`${address} (${why}): got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  assert.deepEqual(wrong, []);
});

test('URL literals as the URL parser normalises them are classified the same', () => {
  for (const [url, kind] of [
    ['http://[::ffff:169.254.169.254]/', 'private'],
    ['http://[::127.0.0.1]/', 'loopback'],
    ['http://[0:0:0:0:ffff:0:a9fe:a9fe]/', 'private'],
    ['http://0x7f.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://[2002:a9fe:a9fe::1]:8080/', 'private'],
  ] as const) {
    const host = new URL(url).hostname;
    assert.equal(classifyAddress(host), kind, `${url} → ${host}`);
  }
});
