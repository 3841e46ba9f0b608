import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../shared/clock';
import { SourceRateLimiter } from './source-rate-limiter';
import { fakeUserAgentCore } from './testing/fake-core';
import { SipPeer } from './testing/sip-peer';
import { FakeNetwork } from './testing/transport-fake';

describe('per-source rate limit of unauthenticated SIP traffic', () => {
  it('token bucket: a burst, then the rate; each source its own bucket; one "first refusal" per episode', () => {
    const clock = new FakeClock();
    const limiter = new SourceRateLimiter({ ratePerSecond: 2, burst: 3, nowMs: () => clock.monotonicMs() });
    const a = () => limiter.take('192.0.2.1');
    assert.deepEqual(
      [a(), a(), a(), a(), a()].map((r) => r.admitted),
      [true, true, true, false, false],
    );
    assert.equal(limiter.take('192.0.2.2').admitted, true, 'another source is not affected');
    clock.advance(500); // one token back at 2/s
    assert.equal(a().admitted, true);
    const refused = a();
    assert.deepEqual(refused, { admitted: false, firstRefusal: true }, 'a new episode of refusals');
    assert.deepEqual(a(), { admitted: false, firstRefusal: false });
    clock.advance(60_000);
    assert.deepEqual(
      [a(), a(), a(), a()].map((r) => r.admitted),
      [true, true, true, false],
      'refills to the burst, not beyond',
    );
  });

  it('remembers at most maxSources sources (a scan of many addresses cannot grow the table)', () => {
    const clock = new FakeClock();
    const limiter = new SourceRateLimiter({
      ratePerSecond: 1,
      burst: 1,
      nowMs: () => clock.monotonicMs(),
      maxSources: 50,
    });
    for (let i = 0; i < 1000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(limiter.size, 50);
  });

  it('in the user agent core: requests over the limit are dropped unanswered, before any transaction; retransmissions of admitted ones are still answered', () => {
    const net = new FakeNetwork();
    const clock = new FakeClock();
    const limiter = new SourceRateLimiter({ ratePerSecond: 1, burst: 2, nowMs: () => clock.monotonicMs() });
    fakeUserAgentCore(net, { admitRequest: (_req, src) => limiter.take(src.address).admitted });
    const us = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
    const scanner = new SipPeer(net, { address: '198.51.100.9', port: 5060 });
    const other = new SipPeer(net, { address: '203.0.113.5', port: 5060 });
    const options = (peer: SipPeer, n: number, branch = peer.newBranch()) =>
      peer.request(
        'OPTIONS',
        'sip:thunderphone@127.0.0.1:5070',
        [
          ['Via', peer.via(branch)],
          ['From', `<sip:probe@${peer.address}>;tag=p${n}`],
          ['To', '<sip:thunderphone@127.0.0.1>'],
          ['Call-ID', `scan-${n}@${peer.address}`],
          ['CSeq', '1 OPTIONS'],
        ],
        us,
      );
    const first = scanner.newBranch();
    options(scanner, 0, first);
    for (let i = 1; i < 10; i++) options(scanner, i);
    options(other, 100, 'z9hG4bKother1'); // (its own branch: matching by sent-by too is sip-core's fix)
    net.flush();
    assert.equal(scanner.responses(200).length, 2, 'the burst is answered, the rest dropped silently');
    assert.equal(scanner.responses().length, 2, 'no 503 either');
    assert.equal(other.responses(200).length, 1, 'other sources are still served');
    options(scanner, 0, first); // a retransmission of an admitted request: its transaction answers again
    net.flush();
    assert.equal(scanner.responses(200).length, 3);
    clock.advance(1000);
    options(scanner, 11);
    net.flush();
    assert.equal(scanner.responses(200).length, 4, 'served again once its bucket refilled');
  });
});
