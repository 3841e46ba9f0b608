import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeUserAgentCore } from '../testing/fake-core';
import { FakeNetwork } from '../testing/transport-fake';

/** Malformed requests answered statelessly by the transport layer (RFC 3261 §8.2, §16.3), in memory. */
function setup() {
  const net = new FakeNetwork();
  fakeUserAgentCore(net);
  const peer = net.transport('127.0.0.4', 5064, 'udp');
  const got: string[] = [];
  peer.setHandlers({ onData: (d) => got.push(d.toString()), onError: () => undefined });
  const send = (startLine: string, extra: string[] = [], cseq = '1 OPTIONS'): void => {
    const head = [
      startLine,
      'Via: SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKrej;rport',
      'From: <sip:p@127.0.0.4>;tag=p',
      'To: <sip:thunderphone@127.0.0.1>',
      'Call-ID: rej',
      `CSeq: ${cseq}`,
      ...extra,
      'Content-Length: 0',
    ];
    peer.send(Buffer.from(head.join('\r\n') + '\r\n\r\n'), { transport: 'udp', address: '127.0.0.1', port: 5070 });
    net.flush();
  };
  return { got, send };
}

describe('400 / 505 for requests the parser refuses', () => {
  it('a bad CSeq gets 400 with the problem in the reason phrase, a To tag, and rport/received in the Via', () => {
    const { got, send } = setup();
    send('OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0', [], '99999999999999999999 OPTIONS');
    assert.equal(got.length, 1);
    const [status, ...headers] = got[0]!.split('\r\n');
    assert.equal(status, 'SIP/2.0 400 Bad Request (invalid CSeq)');
    assert.ok(headers.includes('Via: SIP/2.0/UDP 127.0.0.4:5064;branch=z9hG4bKrej;rport=5064;received=127.0.0.4'));
    assert.ok(headers.some((h) => /^To: <sip:thunderphone@127\.0\.0\.1>;tag=\w+$/.test(h)));
    assert.ok(headers.includes('Call-ID: rej'));
  });

  it('SIP/3.0 gets 505; valid torture values (Max-Forwards 0068, NUL in a quoted display name) get 200', () => {
    const { got, send } = setup();
    send('OPTIONS sip:thunderphone@127.0.0.1 SIP/3.0');
    assert.match(got[0] ?? '', /^SIP\/2\.0 505 Version Not Supported/);
    send('OPTIONS sip:thunderphone@127.0.0.1 SIP/2.0', ['Max-Forwards: 0068', 'Subject: "a\\\0b"'], '2 OPTIONS');
    assert.match(got[1] ?? '', /^SIP\/2\.0 200 OK/);
  });

  it('an ACK is never answered, a response never rejected', () => {
    const { got, send } = setup();
    send('ACK sip:thunderphone@127.0.0.1 SIP/2.0', [], '1 INVITE');
    send('SIP/2.0 200 OK', ['Max-Forwards: banana']);
    assert.deepEqual(got, []);
  });
});
