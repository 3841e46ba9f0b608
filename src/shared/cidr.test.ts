import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrList, parseCidr } from './cidr';

test('parseCidr: IPv4 and IPv6 ranges and bare addresses; anything else is null', () => {
  assert.deepEqual(parseCidr('203.0.113.0/24'), { family: 'ipv4', address: '203.0.113.0', prefix: 24 });
  assert.deepEqual(parseCidr('2001:DB8::/32'), { family: 'ipv6', address: '2001:db8::', prefix: 32 });
  assert.deepEqual(parseCidr('198.51.100.7'), { family: 'ipv4', address: '198.51.100.7', prefix: 32 });
  assert.deepEqual(parseCidr('[::1]'), { family: 'ipv6', address: '::1', prefix: 128 });
  for (const bad of [
    '10.0.0.0/33',
    '::/129',
    'pbx.example.com',
    '10.0.0.0/',
    '10.0.0/8',
    '',
    'fe80::1%eth0',
    '1.2.3.4/-1',
  ])
    assert.equal(parseCidr(bad), null, bad);
});

test('CidrList.has: IPv4, IPv6, IPv4-mapped IPv6, zone ids; never throws on odd input', () => {
  const l = CidrList.of(['10.1.0.0/16', '2001:db8::/32', '192.0.2.9', '::1']);
  for (const yes of ['10.1.255.4', '::ffff:10.1.0.1', '2001:db8:1::5', '[2001:db8::1]', '192.0.2.9', '::1'])
    assert.equal(l.has(yes), true, yes);
  for (const no of ['10.2.0.1', '192.0.2.10', '2001:db9::1', '::2', 'localhost', '', 'fe80::1%eth0'])
    assert.equal(l.has(no), false, no);
  assert.equal(CidrList.of(['fe80::/10']).has('fe80::1%eth0'), true);
  assert.equal(CidrList.of([]).empty, true);
});
