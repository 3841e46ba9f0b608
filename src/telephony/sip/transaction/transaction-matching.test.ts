import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SequentialIds } from '../../../shared/testing/sequential-ids';
import { fakeUserAgentCore } from '../testing/fake-core';
import { UserAgentCore } from '../user-agent-core';
import { SipPeer } from '../testing/sip-peer';
import { FakeNetwork } from '../testing/transport-fake';

/** RFC 3261 §17.2.3 server transaction matching, through the user agent core, in memory. */
function setup() {
  const net = new FakeNetwork();
  const core = fakeUserAgentCore(net);
  const us = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
  const alice = new SipPeer(net, { address: '127.0.0.4', port: 5064 });
  const bob = new SipPeer(net, { address: '127.0.0.5', port: 5066 });
  const send = (peer: SipPeer, method: string, o: { via: string; callId: string; cseq?: number; to?: string }) =>
    peer.request(
      method,
      'sip:thunderphone@127.0.0.1:5070',
      [
        ['Via', o.via],
        ['From', `<sip:${peer.address}>;tag=f-${peer.port}`],
        ['To', o.to ?? '<sip:thunderphone@127.0.0.1>'],
        ['Call-ID', o.callId],
        ['CSeq', `${o.cseq ?? 1} ${method}`],
      ],
      us,
    );
  return { net, core, us, alice, bob, send };
}

const callIds = (peer: SipPeer): Array<string | undefined> => peer.responses().map((r) => r.msg.headers.get('Call-ID'));

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('the same branch from two clients (different sent-by) makes two transactions: each client gets its own answer', () => {
    const { net, alice, bob, send } = setup();
    send(alice, 'OPTIONS', { via: `SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKshared`, callId: 'from-alice' });
    send(bob, 'OPTIONS', { via: `SIP/2.0/UDP 127.0.0.5:5066;branch=z9hG4bKshared`, callId: 'from-bob' });
    net.flush();
    assert.deepEqual(callIds(alice), ['from-alice']);
    assert.deepEqual(callIds(bob), ['from-bob']);
  });

  it('the same branch with another method is another transaction', () => {
    const { net, alice, send } = setup();
    send(alice, 'OPTIONS', { via: `SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKsame`, callId: 'o' });
    send(alice, 'SUBSCRIBE', { via: `SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKsame`, callId: 's' });
    net.flush();
    assert.deepEqual(
      alice.responses().map((r) => `${r.msg.headers.get('CSeq')} ${r.msg.status}`),
      ['1 OPTIONS 200', '1 SUBSCRIBE 405'],
    );
  });

  it('requests without a magic-cookie branch (RFC 2543) do not collapse into one transaction', () => {
    const { net, alice, send } = setup();
    for (const callId of ['old-1', 'old-2', 'old-3'])
      send(alice, 'OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.4:5064', callId });
    send(alice, 'OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bK', callId: 'cookie-only' });
    net.flush();
    assert.deepEqual(callIds(alice), ['old-1', 'old-2', 'old-3', 'cookie-only']);
  });

  it('an RFC 2543 retransmission is absorbed: the same answer again, same To tag', () => {
    const { net, alice, send } = setup();
    send(alice, 'OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.4:5064', callId: 'again' });
    send(alice, 'OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.4:5064', callId: 'again' });
    net.flush();
    const [a, b] = alice.responses(200);
    assert.ok(a && b);
    assert.equal(a.msg.headers.get('To'), b.msg.headers.get('To'));
  });

  it('an RFC 2543 ACK (To tag of our response) matches its INVITE transaction and stops the retransmissions', () => {
    const { net, alice, send } = setup();
    const via = 'SIP/2.0/UDP 127.0.0.4:5064';
    send(alice, 'INVITE', { via, callId: 'inv2543', cseq: 7 });
    net.flush();
    const rejected = alice.responses(480)[0];
    assert.ok(rejected, 'no delegate: 480');
    send(alice, 'ACK', { via, callId: 'inv2543', cseq: 7, to: rejected.msg.headers.get('To') ?? '' });
    net.timers.advance(40_000);
    assert.equal(alice.responses(480).length, 1, 'no Timer G retransmission after the ACK');
  });

  it('a CANCEL has its own transaction and finds the INVITE by branch and sent-by', () => {
    const { net, core, alice, bob, send } = setup();
    core.delegate = { onInvite: () => undefined }; // rings forever
    send(alice, 'INVITE', { via: 'SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKinv', callId: 'c' });
    // Bob's CANCEL carries Alice's branch but his own sent-by: it matches nothing.
    send(bob, 'CANCEL', { via: 'SIP/2.0/UDP 127.0.0.5:5066;branch=z9hG4bKinv', callId: 'c' });
    send(alice, 'CANCEL', { via: 'SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKinv', callId: 'c' });
    net.flush();
    assert.deepEqual(
      bob.responses().map((r) => `${r.msg.headers.get('CSeq')} ${r.msg.status}`),
      ['1 CANCEL 481'],
    );
    assert.deepEqual(
      alice.responses().map((r) => `${r.msg.headers.get('CSeq')} ${r.msg.status}`),
      ['1 INVITE 100', '1 CANCEL 200', '1 INVITE 487'],
    );
  });
});

describe('server transaction state budget per source', () => {
  it('a source over its budget gets no new transactions until its old ones end; other sources are unaffected', () => {
    const net = new FakeNetwork();
    const core = new UserAgentCore({
      transport: net.transportLayer('127.0.0.1', 5070, ['udp']),
      timers: net.timers,
      ids: new SequentialIds(),
      limits: { maxTransactionBytesPerSource: 4096 },
    });
    const us = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
    const flood = new SipPeer(net, { address: '127.0.0.8', port: 5064 });
    const other = new SipPeer(net, { address: '127.0.0.9', port: 5064 });
    const options = (peer: SipPeer, n: number): void => {
      peer.request(
        'OPTIONS',
        'sip:thunderphone@127.0.0.1:5070',
        [
          ['From', `<sip:p@${peer.address}>;tag=${n}`],
          ['To', '<sip:thunderphone@127.0.0.1>'],
          ['Call-ID', `budget-${peer.address}-${n}`],
          ['CSeq', `${n} OPTIONS`],
        ],
        us,
      );
    };
    for (let n = 1; n <= 40; n++) options(flood, n);
    options(other, 1);
    net.flush();
    const answered = flood.responses(200).length;
    assert.ok(answered > 0 && answered < 40, `the flooding source got ${answered} of 40 answered`);
    assert.equal(other.responses(200).length, 1, 'another source is answered');
    net.timers.advance(32_000); // Timer J ends the old transactions
    options(flood, 41);
    net.flush();
    assert.equal(flood.responses(200).length, answered + 1, 'answered again once its state is gone');
    assert.equal(core.serverTransactionCount, 1);
  });
});
