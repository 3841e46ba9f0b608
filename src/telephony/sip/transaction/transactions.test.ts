import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientTransaction } from './client-transaction';
import { ServerTransaction } from './server-transaction';
import { FakeTimers } from '../../../shared/timers';
import { createRequest, type SipMessage, type SipRequest, type SipResponse } from '../message';
import { SipHeaders } from '../headers';

const T = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

function request(method: string): SipRequest {
  return createRequest(method, 'sip:bob@h', [
    ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
    ['From', '<sip:a@h>;tag=1'],
    ['To', '<sip:bob@h>'],
    ['Call-ID', 'c1'],
    ['CSeq', `1 ${method}`],
  ]);
}

function response(status: number, method: string): SipResponse {
  return {
    kind: 'response',
    status,
    reason: 'x',
    headers: SipHeaders.from([
      ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
      ['From', '<sip:a@h>;tag=1'],
      ['To', '<sip:bob@h>;tag=2'],
      ['Call-ID', 'c1'],
      ['CSeq', `1 ${method}`],
    ]),
    body: Buffer.alloc(0),
  };
}

function client(method: string, reliable = false) {
  const timers = new FakeTimers();
  const sent: Array<{ at: number; msg: SipMessage }> = [];
  const got: number[] = [];
  let timeouts = 0;
  let terminated = 0;
  const tx = new ClientTransaction({
    request: request(method),
    reliable,
    sipTimers: T,
    timers,
    send: (m) => sent.push({ at: timers.nowMs, msg: m }),
    onResponse: (r) => got.push(r.status),
    onTimeout: () => timeouts++,
    onTerminated: () => terminated++,
  });
  tx.start();
  return { tx, timers, sent, got, counts: () => ({ timeouts, terminated }) };
}

describe('INVITE client transaction', () => {
  it('Timer A retransmits at 0.5, 1.5, 3.5 ... s and Timer B times out at 64*T1', () => {
    const c = client('INVITE');
    c.timers.advance(32_000);
    assert.deepEqual(
      c.sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 15500, 31500],
    );
    assert.deepEqual(c.counts(), { timeouts: 1, terminated: 1 });
    assert.equal(c.timers.pendingCount, 0);
  });

  it('a provisional stops retransmission and Timer B; a 486 is ACKed with the same branch, re-ACKed on retransmit, Timer D ends it', () => {
    const c = client('INVITE');
    c.timers.advance(600);
    c.tx.receive(response(180, 'INVITE'));
    c.timers.advance(40_000);
    assert.equal(c.sent.length, 2);
    assert.equal(c.counts().timeouts, 0, 'no Timer B once proceeding');
    c.tx.receive(response(486, 'INVITE'));
    const ack = c.sent[2]?.msg as SipRequest;
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.headers.get('Via'), 'SIP/2.0/UDP a;branch=z9hG4bK1');
    assert.equal(ack.headers.get('CSeq'), '1 ACK');
    assert.match(ack.headers.get('To') ?? '', /tag=2/);
    c.tx.receive(response(486, 'INVITE'));
    assert.equal(c.sent.length, 4, 'retransmitted final → ACK again');
    assert.deepEqual(c.got, [180, 486], 'the TU sees the final response once');
    c.timers.advance(31_999);
    assert.equal(c.tx.state, 'completed');
    c.timers.advance(1);
    assert.equal(c.tx.state, 'terminated');
  });

  it('2xx ends the transaction at once (the TU ACKs); over TCP nothing is retransmitted', () => {
    const c = client('INVITE', true);
    c.timers.advance(10_000);
    assert.equal(c.sent.length, 1);
    c.tx.receive(response(200, 'INVITE'));
    assert.equal(c.tx.state, 'terminated');
    assert.equal(c.sent.length, 1);
  });
});

describe('non-INVITE client transaction', () => {
  it('Timer E doubles up to T2, Timer F fires at 64*T1', () => {
    const c = client('OPTIONS');
    c.timers.advance(32_000);
    assert.deepEqual(
      c.sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(c.counts().timeouts, 1);
  });

  it('in Proceeding, Timer E is T2; a final response → Completed, Timer K = T4 (0 on TCP)', () => {
    const c = client('BYE');
    c.tx.receive(response(100, 'BYE'));
    c.timers.advance(8_100);
    assert.deepEqual(
      c.sent.map((s) => s.at),
      [0, 500, 4500, 8500].filter((t) => t <= 8100),
    );
    c.tx.receive(response(200, 'BYE'));
    assert.equal(c.tx.state, 'completed');
    c.timers.advance(5_000);
    assert.equal(c.tx.state, 'terminated');
    const tcp = client('BYE', true);
    tcp.tx.receive(response(200, 'BYE'));
    tcp.timers.advance(0);
    assert.equal(tcp.tx.state, 'terminated');
  });
});

function server(method: string, reliable = false) {
  const timers = new FakeTimers();
  const sent: Array<{ at: number; status: number }> = [];
  let timeouts = 0;
  const tx = new ServerTransaction({
    request: request(method),
    reliable,
    sipTimers: T,
    timers,
    send: (r) => sent.push({ at: timers.nowMs, status: r.status }),
    onTimeout: () => timeouts++,
    onTerminated: () => undefined,
  });
  return { tx, timers, sent, timeouts: () => timeouts };
}

describe('INVITE server transaction', () => {
  it('Timer G retransmits the 486 until Timer H gives up without ACK', () => {
    const s = server('INVITE');
    s.tx.respond(response(486, 'INVITE'));
    s.timers.advance(32_000);
    assert.deepEqual(
      s.sent.map((x) => x.at),
      [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
    assert.equal(s.timeouts(), 1);
    assert.equal(s.tx.state, 'terminated');
  });

  it('the ACK stops Timer G; Timer I (T4) then ends it; request retransmissions get the last response', () => {
    const s = server('INVITE');
    s.tx.respond(response(180, 'INVITE'));
    s.tx.receiveRequest(request('INVITE'));
    assert.deepEqual(
      s.sent.map((x) => x.status),
      [180, 180],
    );
    s.tx.respond(response(603, 'INVITE'));
    s.timers.advance(600);
    s.tx.receiveRequest(createRequest('ACK', 'sip:bob@h', [['CSeq', '1 ACK']]));
    assert.equal(s.tx.state, 'confirmed');
    s.timers.advance(10_000);
    assert.equal(s.sent.length, 4, '180, 180, 603 and one Timer G retransmission');
    assert.equal(s.tx.state, 'terminated');
    assert.equal(s.timeouts(), 0);
  });

  it('after a 2xx it absorbs retransmitted INVITEs (RFC 6026 accepted) and does not retransmit itself', () => {
    const s = server('INVITE');
    s.tx.respond(response(200, 'INVITE'));
    assert.equal(s.tx.state, 'accepted');
    s.timers.advance(10_000);
    assert.equal(s.sent.length, 1);
    s.timers.advance(22_000);
    assert.equal(s.tx.state, 'terminated');
  });
});

describe('non-INVITE server transaction', () => {
  it('Timer J keeps the response for retransmitted requests for 64*T1 (0 on TCP)', () => {
    const s = server('BYE');
    s.tx.respond(response(200, 'BYE'));
    s.tx.receiveRequest(request('BYE'));
    assert.deepEqual(
      s.sent.map((x) => x.status),
      [200, 200],
    );
    s.timers.advance(31_999);
    assert.equal(s.tx.state, 'completed');
    s.timers.advance(1);
    assert.equal(s.tx.state, 'terminated');
    const tcp = server('BYE', true);
    tcp.tx.respond(response(200, 'BYE'));
    tcp.timers.advance(0);
    assert.equal(tcp.tx.state, 'terminated');
  });
});
