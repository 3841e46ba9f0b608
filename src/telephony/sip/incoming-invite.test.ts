import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingInvite } from './incoming-invite';
import type { InviteSession } from './invite-session';
import type { SipRequest, SipResponse } from './message';
import { fakeUserAgentCore } from './testing/fake-core';
import { SipPeer, type PeerMessage } from './testing/sip-peer';
import { FakeNetwork } from './testing/transport-fake';

/** Inbound INVITEs from a scripted phone to our user agent core, in memory, on fake timers. */
function setup() {
  const net = new FakeNetwork();
  const core = fakeUserAgentCore(net);
  const phone = new SipPeer(net, { address: '127.0.0.3', port: 5062 });
  const invites: IncomingInvite[] = [];
  core.delegate = { onInvite: (invite) => invites.push(invite) };
  const us = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
  const branch = phone.newBranch();
  const headers: Array<[string, string]> = [
    ['Via', phone.via(branch)],
    ['From', '"Alice" <sip:+14155550100@127.0.0.3>;tag=alice'],
    ['To', '<sip:+15550001111@127.0.0.1>'],
    ['Call-ID', 'in-1'],
    ['CSeq', '1 INVITE'],
    ['Contact', '<sip:alice@127.0.0.3:5062>'],
    ['Content-Type', 'application/sdp'],
  ];
  const call = (): SipRequest =>
    phone.request('INVITE', 'sip:+15550001111@127.0.0.1:5070', headers, us, 'v=0 offer\r\n');
  /** A request from the phone inside the dialog our 2xx created. */
  const inDialog = (method: string, cseq: number, ok: SipResponse, body = '', via = phone.via()): SipRequest =>
    phone.request(
      method,
      'sip:thunderphone@127.0.0.1:5070',
      [
        ['Via', via],
        ['From', '"Alice" <sip:+14155550100@127.0.0.3>;tag=alice'],
        ['To', ok.headers.get('To') ?? ''],
        ['Call-ID', 'in-1'],
        ['CSeq', `${cseq} ${method}`],
      ],
      us,
      body,
    );
  /** A call accepted and ACKed: the session and our 200. */
  const established = (): { session: InviteSession; ok: SipResponse } => {
    call();
    net.flush();
    const session = invites[0]!.accept(Buffer.from('v=0 answer\r\n'))!;
    net.flush();
    const ok = lastResponse(phone).msg;
    inDialog('ACK', 1, ok);
    net.flush();
    return { session, ok };
  };
  return { net, core, phone, invites, call, inDialog, established, branch, headers, us };
}

const statuses = (phone: SipPeer): number[] => phone.responses().map((r) => r.msg.status);
const lastResponse = (phone: SipPeer): PeerMessage<SipResponse> => phone.responses().at(-1)!;

describe('inbound INVITE (socket-free, fake timers)', () => {
  it('goes to the delegate after 100 Trying, with caller, callee and source; ring → 180, accept → 200 until the ACK', () => {
    const { net, phone, invites, call, inDialog } = setup();
    call();
    net.flush();
    assert.deepEqual(statuses(phone), [100]);
    const invite = invites[0]!;
    assert.deepEqual([invite.fromUser, invite.toUser, invite.callId], ['+14155550100', '+15550001111', 'in-1']);
    assert.deepEqual(invite.source, { transport: 'udp', address: '127.0.0.3', port: 5062 });
    assert.deepEqual(invite.remote, { transport: 'udp', address: '127.0.0.3', port: 5062 });
    assert.equal(
      lastResponse(phone).msg.headers.get('Via'),
      `SIP/2.0/UDP 127.0.0.3:5062;branch=z9hG4bKpeer1;rport=5062;received=127.0.0.3`,
      'RFC 3581: received and rport recorded in the Via we echo',
    );

    invite.ring();
    net.flush();
    const ringing = lastResponse(phone).msg;
    assert.equal(ringing.status, 180);
    assert.equal(ringing.headers.get('To'), `<sip:+15550001111@127.0.0.1>;tag=${invite.localTag}`);
    assert.equal(ringing.headers.get('Contact'), '<sip:thunderphone@127.0.0.1:5070>');

    const session = invite.accept(Buffer.from('v=0 answer\r\n'))!;
    net.flush();
    const ok = lastResponse(phone).msg;
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), 'v=0 answer\r\n');
    assert.equal(ok.headers.get('Content-Type'), 'application/sdp');
    assert.equal(invite.state, 'accepted');
    // RFC 3261 §13.3.1.4: the 2xx is retransmitted at T1, 2·T1, … until the ACK.
    net.timers.advance(1_500);
    assert.deepEqual(
      phone.responses(200).map((r) => r.atMs),
      [0, 500, 1500],
    );
    const acks: SipRequest[] = [];
    session.on('ack', (ack) => acks.push(ack));
    inDialog('ACK', 1, ok);
    net.timers.advance(30_000);
    assert.equal(acks.length, 1);
    assert.equal(phone.responses(200).length, 3, 'the ACK stopped the retransmissions');
  });

  it('BYE both ways: ours goes to the INVITE source with the next CSeq and ends the session; theirs is answered 200', async () => {
    const ours = setup();
    const a = ours.established();
    const bye = a.session.bye();
    assert.equal(a.session.terminated, true, 'RFC 3261 §15.1.1: the session ends as the BYE is sent');
    assert.equal(ours.core.dialogs.size, 0);
    ours.net.flush();
    const sent = ours.phone.last('BYE');
    assert.equal(sent.msg.uri, 'sip:alice@127.0.0.3:5062', 'the remote target is the INVITE Contact');
    assert.equal(sent.msg.headers.get('CSeq'), '2 BYE');
    assert.equal(sent.msg.headers.get('From'), a.ok.headers.get('To'));
    assert.equal(sent.msg.headers.get('To'), '"Alice" <sip:+14155550100@127.0.0.3>;tag=alice');
    ours.phone.reply(sent, 200);
    ours.net.flush();
    await bye;
    ours.inDialog('INFO', 2, a.ok);
    ours.net.flush();
    assert.equal(lastResponse(ours.phone).msg.status, 481, 'no dialog after our BYE');

    const theirs = setup();
    const b = theirs.established();
    const events: string[] = [];
    b.session.on('bye', () => events.push('bye'));
    theirs.inDialog('BYE', 2, b.ok);
    theirs.net.flush();
    assert.deepEqual(events, ['bye']);
    assert.equal(lastResponse(theirs.phone).msg.status, 200);
    assert.equal(theirs.core.dialogs.size, 0, 'the session left the dialog registry');
    await b.session.bye();
    theirs.net.flush();
    assert.equal(theirs.phone.requests('BYE').length, 0, 'no BYE on a dialog that is over');
  });

  it('CANCEL while ringing: 200 to the CANCEL, 487 to the INVITE (retransmitted until its ACK), canceled event', () => {
    const { net, phone, invites, call, branch, headers, us } = setup();
    call();
    net.flush();
    const invite = invites[0]!;
    const canceled: string[] = [];
    invite.on('canceled', () => canceled.push(invite.state));
    invite.ring();
    const cancelHeaders = headers
      .filter(([n]) => n !== 'Contact' && n !== 'Content-Type')
      .map(([n, v]): [string, string] => (n === 'CSeq' ? [n, '1 CANCEL'] : [n, v]));
    phone.request('CANCEL', 'sip:+15550001111@127.0.0.1:5070', cancelHeaders, us);
    net.flush();
    assert.deepEqual(statuses(phone), [100, 180, 200, 487]);
    assert.equal(phone.responses(200)[0]?.msg.headers.get('CSeq'), '1 CANCEL');
    assert.deepEqual(canceled, ['canceled']);
    assert.equal(invite.accept(Buffer.from('too late')), null, 'a canceled INVITE cannot be answered');
    net.timers.advance(500);
    assert.equal(phone.responses(487).length, 2, 'Timer G retransmits the 487');
    const ackHeaders = cancelHeaders.map(([n, v]): [string, string] =>
      n === 'CSeq' ? [n, '1 ACK'] : n === 'To' ? [n, lastResponse(phone).msg.headers.get('To') ?? ''] : [n, v],
    );
    phone.request('ACK', 'sip:+15550001111@127.0.0.1:5070', ackHeaders, us);
    net.timers.advance(30_000);
    assert.equal(phone.responses(487).length, 2, 'the ACK (same branch) stopped Timer G');
    assert.equal(branch, 'z9hG4bKpeer1');
  });

  it('a retransmitted INVITE gets the last provisional again; a CANCEL for nothing gets 481', () => {
    const { net, phone, invites, call, us } = setup();
    const invite = call();
    net.flush();
    invites[0]!.ring();
    net.flush();
    phone.send(invite, us);
    net.flush();
    assert.deepEqual(statuses(phone), [100, 180, 180]);
    assert.equal(invites.length, 1, 'the retransmission is absorbed by the transaction');
    phone.request(
      'CANCEL',
      'sip:x@127.0.0.1:5070',
      [
        ['From', '<sip:a@127.0.0.3>;tag=z'],
        ['To', '<sip:x@127.0.0.1>'],
        ['Call-ID', 'nothing'],
        ['CSeq', '1 CANCEL'],
      ],
      us,
    );
    net.flush();
    assert.equal(lastResponse(phone).msg.status, 481);
  });

  it('no ACK for our 2xx within 64·T1: the session sends BYE and reports ackTimeout', () => {
    const { net, phone, invites, call } = setup();
    call();
    net.flush();
    const session = invites[0]!.accept(Buffer.from('v=0 answer\r\n'))!;
    const events: string[] = [];
    session.on('ackTimeout', () => events.push('ackTimeout'));
    net.timers.advance(32_000);
    assert.deepEqual(
      phone.responses(200).map((r) => r.atMs),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
      'T1 doubling up to T2 (RFC 3261 §13.3.1.4)',
    );
    assert.deepEqual(events, ['ackTimeout']);
    assert.equal(phone.requests('BYE').length, 1);
    assert.equal(session.terminated, true);
  });

  it('re-INVITE: the owner answers the offer (200 until the ACK); without a listener 488; INFO DTMF reported', () => {
    const { net, phone, inDialog, established } = setup();
    const { session, ok } = established();

    inDialog('INVITE', 2, ok, 'v=0 hold\r\n');
    net.flush();
    assert.equal(lastResponse(phone).msg.status, 488, 'nobody to answer the offer');

    const offers: Array<string | null> = [];
    session.on('reinvite', (r) => {
      offers.push(r.offer);
      r.accept('v=0 held\r\n');
    });
    inDialog('INVITE', 3, ok, 'v=0 hold\r\n');
    net.flush();
    assert.deepEqual(offers, ['v=0 hold\r\n']);
    assert.equal(lastResponse(phone).msg.body.toString(), 'v=0 held\r\n');

    const digits: string[] = [];
    session.on('dtmf', (d) => digits.push(`${d.digit}/${d.durationMs}`));
    const info = phone.request(
      'INFO',
      'sip:thunderphone@127.0.0.1:5070',
      [
        ['From', '"Alice" <sip:+14155550100@127.0.0.3>;tag=alice'],
        ['To', ok.headers.get('To') ?? ''],
        ['Call-ID', 'in-1'],
        ['CSeq', '4 INFO'],
        ['Content-Type', 'application/dtmf-relay'],
      ],
      { transport: 'udp', address: '127.0.0.1', port: 5070 },
      'Signal=5\r\nDuration=160\r\n',
    );
    net.flush();
    assert.deepEqual(digits, ['5/160']);
    assert.equal(lastResponse(phone).msg.headers.get('CSeq'), info.headers.get('CSeq'));
    inDialog('INFO', 4, ok);
    net.flush();
    assert.equal(lastResponse(phone).msg.status, 500, 'an old CSeq is refused (RFC 3261 §12.2.2)');
  });

  it('an INVITE that cannot make a dialog (no Contact) is answered 400 on accept', () => {
    const { net, phone, invites, headers, us } = setup();
    phone.request(
      'INVITE',
      'sip:+15550001111@127.0.0.1:5070',
      headers.filter(([n]) => n !== 'Contact'),
      us,
    );
    net.flush();
    assert.equal(invites[0]!.accept(Buffer.from('v=0\r\n')), null);
    net.flush();
    assert.equal(lastResponse(phone).msg.status, 400);
    assert.equal(invites[0]!.state, 'rejected');
  });
});
