import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseDigestParams } from './digest';
import { fakeUserAgentCore } from './testing/fake-core';
import { SipPeer } from './testing/sip-peer';
import { FakeNetwork } from './testing/transport-fake';

/** The user agent core's own answers and one-off requests, against a scripted peer, in memory. */
function setup() {
  const net = new FakeNetwork();
  const core = fakeUserAgentCore(net);
  const peer = new SipPeer(net, { address: '127.0.0.4', port: 5064 });
  const us = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
  const send = (method: string, to = '<sip:thunderphone@127.0.0.1>', branch = peer.newBranch()) =>
    peer.request(
      method,
      'sip:thunderphone@127.0.0.1:5070',
      [
        ['Via', peer.via(branch)],
        ['From', '<sip:probe@127.0.0.4>;tag=p1'],
        ['To', to],
        ['Call-ID', `c-${method}`],
        ['CSeq', `1 ${method}`],
      ],
      us,
    );
  return { net, core, peer, send, us };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('user agent core (socket-free)', () => {
  it('answers out-of-dialog requests: OPTIONS 200 with Allow, SUBSCRIBE 405, unknown 501, BYE 481, INVITE 480 without a delegate', () => {
    const { net, core, peer, send } = setup();
    for (const m of ['OPTIONS', 'SUBSCRIBE', 'FOO', 'BYE', 'INVITE']) send(m);
    send('INFO', '<sip:thunderphone@127.0.0.1>;tag=unknown');
    net.flush();
    assert.deepEqual(
      peer.responses().map((r) => `${r.msg.headers.get('CSeq')} ${r.msg.status}`),
      ['1 OPTIONS 200', '1 SUBSCRIBE 405', '1 FOO 501', '1 BYE 481', '1 INVITE 100', '1 INVITE 480', '1 INFO 481'],
    );
    const options = peer.responses(200)[0]!.msg;
    assert.deepEqual(options.headers.getAll('Allow'), [
      'INVITE',
      'ACK',
      'CANCEL',
      'BYE',
      'OPTIONS',
      'INFO',
      'NOTIFY',
      'REFER',
    ]);
    assert.match(options.headers.get('To') ?? '', /;tag=\w+$/);
    assert.equal(options.headers.get('Server'), 'ThunderPhone');
    assert.equal(core.dialogs.size, 0);
  });

  it('a retransmitted request gets the same response from its server transaction', () => {
    const { net, peer, send } = setup();
    send('OPTIONS', undefined, 'z9hG4bKsame');
    send('OPTIONS', undefined, 'z9hG4bKsame');
    net.flush();
    const [a, b] = peer.responses(200);
    assert.ok(a && b);
    assert.equal(a.msg.headers.get('To'), b.msg.headers.get('To'), 'same To tag: the same response resent');
  });

  it('responses follow rport to the real source port (RFC 3581)', () => {
    const { net, peer, us } = setup();
    const nat = new SipPeer(net, { address: '127.0.0.4', port: 40000 });
    // The Via claims port 5064, the packet comes from 40000.
    nat.request(
      'OPTIONS',
      'sip:thunderphone@127.0.0.1:5070',
      [
        ['Via', 'SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKnat;rport'],
        ['From', '<sip:probe@127.0.0.4>;tag=p1'],
        ['To', '<sip:thunderphone@127.0.0.1>'],
        ['Call-ID', 'nat'],
        ['CSeq', '1 OPTIONS'],
      ],
      us,
    );
    net.flush();
    assert.equal(peer.received.length, 0);
    assert.match(nat.responses(200)[0]?.msg.headers.get('Via') ?? '', /;rport=40000;received=127\.0\.0\.4$/);
  });

  it('request(): REGISTER answers one digest challenge with CSeq + 1 and the same Call-ID', async () => {
    const { net, core, peer } = setup();
    const result = core.request({
      method: 'REGISTER',
      target: peer.uri(),
      fromUser: 'alice',
      toUri: peer.uri('alice'),
      headers: [['Expires', '0']],
      callId: 'reg-1',
      cseq: 2,
      credentials: { username: 'alice', password: 'secret' },
    });
    net.flush();
    const first = peer.last('REGISTER');
    assert.equal(first.msg.headers.get('CSeq'), '2 REGISTER');
    peer.reply(first, 401, {
      toTag: 'r',
      headers: [['WWW-Authenticate', 'Digest realm="reg", nonce="abc", algorithm=MD5']],
    });
    net.flush();
    await tick();
    net.flush();
    const second = peer.requests('REGISTER')[1]!;
    assert.equal(second.msg.headers.get('CSeq'), '3 REGISTER');
    assert.equal(second.msg.headers.get('Call-ID'), 'reg-1');
    const p = parseDigestParams(second.msg.headers.get('Authorization') ?? '')!;
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    assert.equal(
      p.get('response'),
      md5(`${md5('alice:reg:secret')}:abc:${md5(`REGISTER:${peer.uri()}`)}`),
      'digest recomputed from the password',
    );
    peer.reply(second, 200, { toTag: 'r' });
    net.flush();
    const r = await result;
    assert.ok('response' in r && r.response.status === 200);
  });

  it('options() to nobody times out with Timer F (64·T1), retransmitting with Timer E', async () => {
    const { net, core } = setup();
    const result = core.options('sip:127.0.0.9:5060');
    net.timers.advance(32_000);
    assert.deepEqual(await result, { timeout: true });
    assert.equal(net.lost, 11, 'sent at 0, 0.5, 1.5, 3.5, 7.5, 11.5 … 31.5 s');
  });

  it('malformed bytes are dropped without an answer; a throwing delegate does not break the core', () => {
    const { net, core, peer, send, us } = setup();
    peer.transport.send(Buffer.from('NOT SIP AT ALL\r\n\r\n'), us);
    core.delegate = {
      onInvite: () => {
        throw new Error('boom');
      },
    };
    send('INVITE');
    send('OPTIONS');
    net.flush();
    assert.deepEqual(
      peer.responses().map((r) => r.msg.status),
      [100, 200],
    );
  });
});
