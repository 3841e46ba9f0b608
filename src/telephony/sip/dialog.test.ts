import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dialog, type DialogState } from './dialog';
import { createRequest, type SipResponse } from './message';
import { SipHeaders } from './headers';

const invite = createRequest('INVITE', 'sip:+1415@trunk.example', [
  ['Via', 'SIP/2.0/UDP us;branch=z9hG4bKa'],
  ['From', '<sip:me@us>;tag=L1'],
  ['To', '<sip:+1415@trunk.example>'],
  ['Call-ID', 'cid'],
  ['CSeq', '2 INVITE'],
  ['Contact', '<sip:me@us:5060>'],
]);

function ok(recordRoutes: string[]): SipResponse {
  const h = SipHeaders.from([
    ['Via', 'SIP/2.0/UDP us;branch=z9hG4bKa'],
    ['From', '<sip:me@us>;tag=L1'],
    ['To', '<sip:+1415@trunk.example>;tag=R1'],
    ['Call-ID', 'cid'],
    ['CSeq', '2 INVITE'],
    ['Contact', '<sip:gw@10.0.0.9:5080>'],
    ...recordRoutes.map((r): [string, string] => ['Record-Route', r]),
  ]);
  return { kind: 'response', status: 200, reason: 'OK', headers: h, body: Buffer.alloc(0) };
}

describe('Dialog', () => {
  it('UAC: route set is the reversed Record-Route, Request-URI the Contact, CSeq continues, tags kept', () => {
    const d = Dialog.fromUac(invite, ok(['<sip:p2.example;lr>', '<sip:p1.example;lr>']))!;
    const bye = d.createRequest('BYE');
    assert.equal(bye.uri, 'sip:gw@10.0.0.9:5080');
    assert.deepEqual(bye.headers.getAll('Route'), ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    assert.equal(bye.headers.get('CSeq'), '3 BYE');
    assert.equal(bye.headers.get('From'), '<sip:me@us>;tag=L1');
    assert.equal(bye.headers.get('To'), '<sip:+1415@trunk.example>;tag=R1');
    assert.equal(d.nextHopUri(), 'sip:p1.example;lr');
    assert.equal(
      d.createRequest('ACK', [], Buffer.alloc(0), 2).headers.get('CSeq'),
      '2 ACK',
      'ACK reuses the INVITE number',
    );
  });

  it('strict router: first route becomes the Request-URI, remote target appended', () => {
    const d = Dialog.fromUac(invite, ok(['<sip:strict.example>']))!;
    const bye = d.createRequest('BYE');
    assert.equal(bye.uri, 'sip:strict.example');
    assert.deepEqual(bye.headers.getAll('Route'), ['<sip:gw@10.0.0.9:5080>']);
  });

  it('UAS: remote CSeq must increase; a target refresh replaces the remote target', () => {
    const inbound = createRequest('INVITE', 'sip:us', [
      ['Via', 'SIP/2.0/UDP them;branch=z9hG4bKb'],
      ['From', '<sip:c@them>;tag=T9'],
      ['To', '<sip:us>'],
      ['Call-ID', 'x'],
      ['CSeq', '10 INVITE'],
      ['Contact', '<sip:c@them:5062>'],
      ['Record-Route', '<sip:edge;lr>'],
    ]);
    const d = Dialog.fromUas(inbound, 'L7', 1)!;
    assert.equal(d.localHeader, '<sip:us>;tag=L7');
    assert.deepEqual(d.routeSet, ['<sip:edge;lr>']);
    const bye = (n: number) => createRequest('BYE', 'sip:us', [['CSeq', `${n} BYE`]]);
    assert.equal(d.acceptRemoteSeq(bye(10)), false);
    assert.equal(d.acceptRemoteSeq(bye(11)), true);
    d.refreshTarget(createRequest('INVITE', 'sip:us', [['Contact', '<sip:c@moved:7000>']]));
    assert.equal(d.remoteTarget, 'sip:c@moved:7000');
    assert.equal(
      Dialog.fromUas(
        createRequest('INVITE', 'sip:us', [
          ['From', '<sip:c@them>'],
          ['Contact', '<sip:c@x>'],
        ]),
        'L',
        1,
      ),
      null,
      'no From tag → no dialog',
    );
  });

  it('state export/import: a restored dialog (through JSON) builds the same next BYE', () => {
    const d = Dialog.fromUac(invite, ok(['<sip:p1.example;lr>']))!;
    d.createRequest('INFO');
    const restored = Dialog.fromState(JSON.parse(JSON.stringify(d.toState())) as DialogState);
    assert.deepEqual(restored.id, { callId: 'cid', localTag: 'L1', remoteTag: 'R1' });
    const a = d.createRequest('BYE');
    const b = restored.createRequest('BYE');
    assert.equal(b.uri, a.uri);
    assert.deepEqual([...b.headers.entries()], [...a.headers.entries()]);
    assert.equal(b.headers.get('CSeq'), '4 BYE');
  });
});
