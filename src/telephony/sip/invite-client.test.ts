import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { InviteClient, InviteClientOptions, InviteEnd } from './invite-client';
import type { InviteSession } from './invite-session';
import type { SipRequest } from './message';
import { parseDigestParams } from './digest';
import { parseVia } from './via';
import { fakeUserAgentCore } from './testing/fake-core';
import { SipPeer, type PeerMessage } from './testing/sip-peer';
import { FakeNetwork } from './testing/transport-fake';
import type { SipTransportKind } from './transport/sip-transport';

/** Outbound INVITEs of our user agent core against a scripted trunk, in memory, on fake timers. */
function setup(kind: SipTransportKind = 'udp') {
  const net = new FakeNetwork();
  const core = fakeUserAgentCore(net, { kinds: [kind] });
  const trunk = new SipPeer(net, { address: '127.0.0.2', port: 5060, kind });
  return { net, core, trunk };
}

function watch(client: InviteClient) {
  const w = {
    events: [] as string[],
    ended: undefined as InviteEnd | undefined,
    session: undefined as InviteSession | undefined,
  };
  client.on('progress', (res) => w.events.push(`progress ${res.status}`));
  client.on('answered', (session) => {
    w.events.push('answered');
    w.session = session;
  });
  client.on('ended', (end) => {
    w.events.push('ended');
    w.ended = end;
  });
  return w;
}

function dial(core: ReturnType<typeof setup>['core'], trunk: SipPeer, extra: Partial<InviteClientOptions> = {}) {
  const client = core.invite({ target: trunk.uri('+14155550199'), fromUser: '+15551234567', ...extra });
  const w = watch(client);
  client.start('v=0 offer\r\n');
  return { client, w };
}

const branchOf = (m: PeerMessage<SipRequest>): string =>
  parseVia(m.msg.headers.get('Via') ?? '')?.params.get('branch') ?? '';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const ANSWER: Array<[string, string]> = [
  ['Contact', '<sip:gw@127.0.0.2:5060>'],
  ['Content-Type', 'application/sdp'],
];

describe('outbound INVITE (socket-free, fake timers)', () => {
  it('INVITE → 100 → 180 → 200 → ACK to the Contact; a retransmitted 200 is ACKed again', () => {
    const { net, core, trunk } = setup();
    const { client, w } = dial(core, trunk);
    net.flush();
    const invite = trunk.last('INVITE');
    const h = invite.msg.headers;
    assert.equal(invite.msg.uri, 'sip:+14155550199@127.0.0.2:5060');
    assert.equal(h.get('CSeq'), '1 INVITE');
    assert.equal(h.get('Call-ID'), client.callId);
    assert.match(h.get('From') ?? '', new RegExp(`^<sip:\\+15551234567@127\\.0\\.0\\.1>;tag=${client.localTag}$`));
    assert.match(h.get('Via') ?? '', /^SIP\/2\.0\/UDP 127\.0\.0\.1:5070;branch=z9hG4bK\w+;rport$/);
    assert.equal(h.get('Contact'), '<sip:+15551234567@127.0.0.1:5070>');
    assert.equal(invite.msg.body.toString(), 'v=0 offer\r\n');

    trunk.reply(invite, 100);
    trunk.reply(invite, 180, { toTag: 'callee' });
    net.flush();
    assert.deepEqual(w.events, ['progress 180'], '100 Trying is not progress');
    trunk.reply(invite, 200, { toTag: 'callee', headers: ANSWER, body: 'v=0 answer\r\n' });
    net.flush();
    assert.deepEqual(w.events, ['progress 180', 'answered']);
    const ack = trunk.last('ACK');
    assert.equal(ack.msg.uri, 'sip:gw@127.0.0.2:5060', 'the ACK for a 2xx goes to the remote target');
    assert.equal(ack.msg.headers.get('CSeq'), '1 ACK');
    assert.match(ack.msg.headers.get('To') ?? '', /;tag=callee$/);
    assert.notEqual(branchOf(ack), branchOf(invite), 'the 2xx ACK is its own transaction (RFC 3261 §13.2.2.4)');
    assert.equal(w.session?.dialog.remoteTag, 'callee');
    assert.equal(core.dialogs.size, 1);

    trunk.reply(invite, 200, { toTag: 'callee', headers: ANSWER, body: 'v=0 answer\r\n' });
    net.flush();
    assert.equal(trunk.requests('ACK').length, 2, 'a 2xx retransmission means our ACK was lost: sent again');
    assert.deepEqual(trunk.summary(), ['INVITE', 'ACK', 'ACK'], 'nothing retransmitted once answered');
  });

  it('BYE both ways: ours gets its 200; theirs is answered 200 and ends the session (a second one gets 481)', async () => {
    const { net, core, trunk } = setup();
    const { w } = dial(core, trunk);
    net.flush();
    const invite = trunk.last('INVITE');
    const ok = trunk.reply(invite, 200, { toTag: 'callee', headers: ANSWER, body: 'v=0 answer\r\n' });
    net.flush();
    const session = w.session!;

    const bye = session.bye();
    net.flush();
    const ours = trunk.last('BYE');
    assert.equal(ours.msg.uri, 'sip:gw@127.0.0.2:5060');
    assert.equal(ours.msg.headers.get('CSeq'), '2 BYE');
    assert.equal(ours.msg.headers.get('To'), ok.headers.get('To'));
    trunk.reply(ours, 200);
    net.flush();
    await bye;

    // The same dialog, hung up from the far end this time (a fresh call).
    const second = dial(core, trunk);
    net.flush();
    const invite2 = trunk.last('INVITE');
    const ok2 = trunk.reply(invite2, 200, { toTag: 'callee2', headers: ANSWER, body: 'v=0 answer\r\n' });
    net.flush();
    const events: string[] = [];
    second.w.session!.on('bye', () => events.push('bye'));
    const theirBye: Array<[string, string]> = [
      ['From', ok2.headers.get('To') ?? ''],
      ['To', invite2.msg.headers.get('From') ?? ''],
      ['Call-ID', invite2.msg.headers.get('Call-ID') ?? ''],
      ['CSeq', '1 BYE'],
    ];
    const to = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
    trunk.request('BYE', 'sip:+15551234567@127.0.0.1:5070', theirBye, to);
    net.flush();
    assert.deepEqual(events, ['bye']);
    assert.equal(trunk.responses(200).at(-1)?.msg.headers.get('CSeq'), '1 BYE');
    assert.equal(second.w.session!.terminated, true);
    trunk.request('BYE', 'sip:+15551234567@127.0.0.1:5070', theirBye.slice(0, 3).concat([['CSeq', '2 BYE']]), to);
    net.flush();
    assert.deepEqual(trunk.summary().at(-1), '481', 'no dialog any more');
  });

  it('CANCEL while ringing: same branch and CSeq number, 200 + 487 → ACK of the 487 → ended canceled', () => {
    const { net, core, trunk } = setup();
    const { client, w } = dial(core, trunk);
    net.flush();
    const invite = trunk.last('INVITE');
    trunk.reply(invite, 180, { toTag: 'callee' });
    net.flush();
    client.cancel('canceled');
    net.flush();
    const cancel = trunk.last('CANCEL');
    assert.equal(cancel.msg.uri, invite.msg.uri);
    assert.equal(branchOf(cancel), branchOf(invite), 'RFC 3261 §9.1: the CANCEL carries the INVITE branch');
    assert.equal(cancel.msg.headers.get('CSeq'), '1 CANCEL');
    assert.equal(cancel.msg.headers.get('To'), invite.msg.headers.get('To'));
    assert.equal(w.ended, undefined, 'still waiting for the 487');
    trunk.reply(cancel, 200);
    trunk.reply(invite, 487, { toTag: 'callee' });
    net.flush();
    assert.deepEqual(w.ended, { outcome: 'canceled', byRemote: false, sipStatus: 487 });
    const ack = trunk.last('ACK');
    assert.equal(branchOf(ack), branchOf(invite), 'a non-2xx ACK stays in the INVITE transaction');
    assert.equal(ack.msg.headers.get('CSeq'), '1 ACK');
    assert.match(ack.msg.headers.get('To') ?? '', /;tag=callee$/);
  });

  it('ring timeout: CANCEL after ringTimeoutMs → 487 → no_answer', () => {
    const { net, core, trunk } = setup();
    const { w } = dial(core, trunk, { ringTimeoutMs: 10_000 });
    net.flush();
    const invite = trunk.last('INVITE');
    trunk.reply(invite, 180, { toTag: 'callee' });
    net.timers.advance(9_999);
    assert.equal(trunk.requests('CANCEL').length, 0);
    net.timers.advance(1);
    const cancel = trunk.last('CANCEL');
    trunk.reply(cancel, 200);
    trunk.reply(invite, 487, { toTag: 'callee' });
    net.flush();
    assert.deepEqual(w.ended, { outcome: 'no_answer', byRemote: false, sipStatus: 487 });
  });

  it('hang-up before any provisional: ended at once, the CANCEL waits for the first provisional (RFC 3261 §9.1)', () => {
    const { net, core, trunk } = setup();
    const { client, w } = dial(core, trunk);
    net.flush();
    client.cancel('canceled');
    assert.equal(w.ended?.outcome, 'canceled');
    net.flush();
    assert.equal(trunk.requests('CANCEL').length, 0, 'no CANCEL before a provisional');
    const invite = trunk.last('INVITE');
    trunk.reply(invite, 100);
    net.flush();
    assert.equal(branchOf(trunk.last('CANCEL')), branchOf(invite));
    // The answer crosses the CANCEL: ACK it and hang up at once.
    trunk.reply(invite, 200, { toTag: 'late', headers: ANSWER });
    net.flush();
    assert.deepEqual(trunk.summary(), ['INVITE', 'CANCEL', 'ACK', 'BYE']);
    assert.deepEqual(w.events, ['ended']);
  });

  for (const [status, header, credHeader, qop] of [
    [401, 'WWW-Authenticate', 'Authorization', true],
    [407, 'Proxy-Authenticate', 'Proxy-Authorization', false],
  ] as const) {
    it(`${status} digest challenge: ACKed, INVITE again with CSeq 2, a new branch and a correct ${credHeader}`, () => {
      const { net, core, trunk } = setup();
      const { client, w } = dial(core, trunk, {
        fromUser: 'alice',
        credentials: { username: 'alice', password: 's3cret' },
      });
      net.flush();
      const first = trunk.last('INVITE');
      const challenge = `Digest realm="trunk.example", nonce="dcd98b7102dd2f0e"${qop ? ', qop="auth"' : ''}, opaque="5ccc"`;
      trunk.reply(first, status, { toTag: 'auth', headers: [[header, challenge]] });
      net.flush();
      const ack = trunk.last('ACK');
      assert.equal(branchOf(ack), branchOf(first));
      assert.equal(ack.msg.headers.get('CSeq'), '1 ACK');

      const second = trunk.requests('INVITE')[1]!;
      assert.equal(second.msg.headers.get('CSeq'), '2 INVITE');
      assert.notEqual(branchOf(second), branchOf(first));
      assert.equal(second.msg.headers.get('Call-ID'), client.callId);
      assert.equal(second.msg.headers.get('From'), first.msg.headers.get('From'));
      const p = parseDigestParams(second.msg.headers.get(credHeader) ?? '')!;
      assert.equal(p.get('username'), 'alice');
      assert.equal(p.get('realm'), 'trunk.example');
      assert.equal(p.get('nonce'), 'dcd98b7102dd2f0e');
      assert.equal(p.get('uri'), first.msg.uri);
      assert.equal(p.get('opaque'), '5ccc');
      const ha1 = md5('alice:trunk.example:s3cret');
      const ha2 = md5(`INVITE:${first.msg.uri}`);
      const expected = qop
        ? md5(`${ha1}:dcd98b7102dd2f0e:${p.get('nc')}:${p.get('cnonce')}:auth:${ha2}`)
        : md5(`${ha1}:dcd98b7102dd2f0e:${ha2}`);
      if (qop) assert.equal(p.get('nc'), '00000001');
      assert.equal(p.get('response'), expected, 'the digest response recomputed from the password matches');

      trunk.reply(second, 200, { toTag: 'callee', headers: ANSWER, body: 'v=0 answer\r\n' });
      net.flush();
      assert.deepEqual(w.events, ['answered']);
      assert.equal(trunk.last('ACK').msg.headers.get('CSeq'), '2 ACK');
    });
  }

  it('a second challenge is final: auth_failed with its status', () => {
    const { net, core, trunk } = setup();
    const { w } = dial(core, trunk, { credentials: { username: 'alice', password: 'wrong' } });
    net.flush();
    const challenge: Array<[string, string]> = [['WWW-Authenticate', 'Digest realm="r", nonce="n1"']];
    trunk.reply(trunk.last('INVITE'), 401, { toTag: 'a', headers: challenge });
    net.flush();
    trunk.reply(trunk.last('INVITE'), 401, { toTag: 'b', headers: challenge });
    net.flush();
    assert.equal(trunk.requests('INVITE').length, 2);
    assert.deepEqual(w.ended, { outcome: 'auth_failed', byRemote: true, sipStatus: 401, detail: 'Unauthorized' });
  });

  it('Timer A retransmits the INVITE at T1, 2·T1, 4·T1 … and Timer B ends it after 64·T1', () => {
    const { net, core, trunk } = setup();
    const { w } = dial(core, trunk);
    net.timers.advance(31_999);
    assert.deepEqual(
      trunk.requests('INVITE').map((m) => m.atMs),
      [0, 500, 1500, 3500, 7500, 15500, 31500],
    );
    assert.equal(new Set(trunk.requests('INVITE').map(branchOf)).size, 1, 'retransmissions keep the branch');
    assert.equal(w.ended, undefined);
    net.timers.advance(1);
    assert.deepEqual(w.ended, {
      outcome: 'provider_error',
      byRemote: false,
      detail: 'no response from the trunk (timer B)',
    });
  });

  it('a provisional stops Timer A; a final failure maps to its outcome', () => {
    const { net, core, trunk } = setup();
    const { w } = dial(core, trunk);
    net.timers.advance(600);
    trunk.reply(trunk.last('INVITE'), 100);
    net.timers.advance(60_000);
    assert.equal(trunk.requests('INVITE').length, 2);
    assert.equal(w.ended, undefined, 'no Timer B once proceeding; the ring timeout (60 s) is next');
    trunk.reply(trunk.last('INVITE'), 486, { toTag: 'busy' });
    net.flush();
    assert.deepEqual(w.ended, { outcome: 'busy', byRemote: true, sipStatus: 486, detail: 'Busy Here' });
  });

  it('TCP: no retransmissions; a refused connection ends the INVITE at once (RFC 3261 §17.1.4)', () => {
    const { net, core, trunk } = setup('tcp');
    dial(core, trunk, { transport: 'tcp' });
    net.timers.advance(10_000);
    assert.equal(trunk.requests('INVITE').length, 1);
    assert.match(trunk.last('INVITE').msg.headers.get('Via') ?? '', /^SIP\/2\.0\/TCP /);
    const refused = core.invite({ target: 'sip:+1415@127.0.0.9:5099', transport: 'tcp', fromUser: 'x' });
    const w = watch(refused);
    refused.start('v=0\r\n');
    net.flush();
    assert.deepEqual(w.ended, {
      outcome: 'provider_error',
      byRemote: false,
      detail: 'no response from the trunk (timer B)',
    });
  });
});
