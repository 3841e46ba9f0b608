import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse-message';
import { serializeMessage } from './message';
import { SipStreamFramer } from './stream-framer';
import { parseSipUri, formatSipUri } from './uri';
import { parseNameAddr } from './name-addr';
import { parseVia } from './via';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

const BASE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
];

describe('SIP message parser: valid corpus (RFC 4475 style)', () => {
  it('parses a plain INVITE with its body cut at Content-Length', () => {
    const r = parseMessage(crlf(BASE));
    assert.ok(r.ok);
    assert.equal(r.message.kind, 'request');
    assert.equal(r.message.kind === 'request' && r.message.method, 'INVITE');
    assert.equal(r.message.body.toString(), 'v=0\n');
  });

  it('compact forms, folded lines, odd whitespace and repeated + comma-separated Via', () => {
    const r = parseMessage(
      crlf([
        'OPTIONS sip:user@example.com SIP/2.0',
        'v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2',
        'Via   :   SIP/2.0/UDP c.example.com;branch=z9hG4bK3;received=10.0.0.1',
        't: <sip:user@example.com>',
        'f: "J Rosenberg \\"Jdrosen\\"" <sip:jdrosen@example.com>',
        '  ;tag=98asjd8',
        'i: 0ha0isndaksdj@10.0.0.1',
        'CSeq: 8 OPTIONS',
        'm: <sip:a@b.com;transport=tcp>;q=0.5, "Quoted, name" <sip:c@d.com>',
        'l: 0',
        '',
        '',
      ]),
    );
    assert.ok(r.ok, !r.ok ? r.reason : '');
    const h = r.message.headers;
    assert.deepEqual(
      h.getAll('Via').map((v) => parseVia(v)?.host),
      ['a.example.com', 'b.example.com', 'c.example.com'],
    );
    assert.equal(parseVia(h.getAll('Via')[1] ?? '')?.port, 5070);
    const from = parseNameAddr(h.get('From') ?? '');
    assert.equal(from?.displayName, 'J Rosenberg "Jdrosen"');
    assert.equal(from?.params.get('tag'), '98asjd8');
    assert.equal(h.getAll('Contact').length, 2);
    assert.equal(parseNameAddr(h.getAll('Contact')[1] ?? '')?.displayName, 'Quoted, name');
    assert.equal(h.get('Call-ID'), '0ha0isndaksdj@10.0.0.1');
  });

  it('responses, leading CRLFs, and LF-only line ends', () => {
    const r = parseMessage(
      Buffer.from(
        '\r\n\r\nSIP/2.0 180 Ringing\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nTo: <sip:a@b>;tag=1\nFrom: <sip:c@d>;tag=2\nCall-ID: x\nCSeq: 1 INVITE\n\n',
      ),
    );
    assert.ok(r.ok);
    assert.equal(r.message.kind === 'response' && r.message.status, 180);
  });

  it('UDP message without Content-Length takes the rest of the datagram as body', () => {
    const lines = BASE.filter((l) => !l.startsWith('Content-Length'));
    const r = parseMessage(crlf(lines));
    assert.ok(r.ok);
    assert.equal(r.message.body.toString(), 'v=0\n');
  });

  it('serialize → parse round-trips, Content-Length rewritten', () => {
    const r = parseMessage(crlf(BASE));
    assert.ok(r.ok);
    r.message.body = Buffer.from('v=0\r\no=x\r\n');
    const again = parseMessage(serializeMessage(r.message));
    assert.ok(again.ok);
    assert.equal(again.message.headers.get('Content-Length'), '10');
    assert.equal(again.message.body.toString(), 'v=0\r\no=x\r\n');
  });
});

describe('SIP message parser: invalid corpus is rejected with a reason', () => {
  const replace = (name: string, line: string | null): Buffer =>
    crlf(BASE.flatMap((l) => (l.startsWith(name) ? (line === null ? [] : [line]) : [l])));
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /empty/],
    ['no blank line', Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: x'), /blank line/],
    ['Content-Length larger than body', replace('Content-Length', 'Content-Length: 9999'), /exceeds/],
    ['negative Content-Length', replace('Content-Length', 'Content-Length: -1'), /Content-Length/],
    ['missing Call-ID', replace('Call-ID', null), /Call-ID/],
    ['missing CSeq', replace('CSeq', null), /CSeq/],
    ['CSeq method mismatch', replace('CSeq', 'CSeq: 1 BYE'), /CSeq method/],
    ['non-numeric CSeq', replace('CSeq', 'CSeq: abc INVITE'), /CSeq/],
    ['bad version', replace('INVITE sip', 'INVITE sip:bob@biloxi.example.com SIP/7.0'), /version/],
    ['spaces in Request-URI', replace('INVITE sip', 'INVITE sip:bob @biloxi.example.com SIP/2.0'), /request line/],
    ['header without colon', replace('Max-Forwards', 'Max-Forwards 70'), /colon/],
    ['bad Max-Forwards', replace('Max-Forwards', 'Max-Forwards: seventy'), /Max-Forwards/],
    [
      'bad status code',
      Buffer.from(
        'SIP/2.0 99 Odd\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n',
      ),
      /status line/,
    ],
    ['NUL in headers', replace('Max-Forwards', 'Max-Forwards: 7\0'), /NUL/],
  ];
  for (const [name, input, reason] of cases) {
    it(name, () => {
      const r = parseMessage(input);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', reason);
    });
  }

  it('fuzz: 5000 mutated messages never throw', () => {
    const seed = crlf(BASE);
    let x = 42;
    const rnd = (n: number): number => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    let ok = 0;
    for (let i = 0; i < 5000; i++) {
      const b = Buffer.from(seed);
      const mutations = 1 + rnd(8);
      for (let m = 0; m < mutations; m++) b[rnd(b.length)] = rnd(256);
      const cut = rnd(4) === 0 ? b.subarray(0, rnd(b.length)) : b;
      const r = parseMessage(cut);
      assert.equal(typeof r.ok, 'boolean');
      if (r.ok) ok++;
      else assert.ok(r.reason.length > 0);
    }
    assert.ok(ok > 0 && ok < 5000, 'some mutants parse, some are rejected');
  });
});

describe('SIP URIs', () => {
  it('parses user, password, IPv6 host, port, params and headers with escaping', () => {
    const u = parseSipUri('sip:%2B1%20415:pa%3Ass@[2001:db8::1]:5070;transport=TCP;lr?subject=hi%20there');
    assert.ok(u);
    assert.equal(u.user, '+1 415');
    assert.equal(u.password, 'pa:ss');
    assert.equal(u.host, '[2001:db8::1]');
    assert.equal(u.port, 5070);
    assert.equal(u.params.get('transport'), 'TCP');
    assert.equal(u.params.get('lr'), null);
    assert.equal(u.headers.get('subject'), 'hi there');
    assert.equal(parseSipUri(formatSipUri(u))?.user, '+1 415');
  });

  it('rejects invalid URIs', () => {
    for (const bad of [
      'http://x',
      'sip:',
      'sip:@host',
      'sip:a@host:99999',
      'sip:a@ho st',
      'sip:a%zz@h',
      'sip:a@h;;x',
    ]) {
      assert.equal(parseSipUri(bad), null, bad);
    }
  });
});

describe('SIP stream framing (TCP)', () => {
  it('cuts messages split across chunks and glued together, skipping keep-alive CRLFs', () => {
    const one = serializeMessage((parseMessage(crlf(BASE)) as { ok: true; message: never }).message);
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), one, one]);
    const f = new SipStreamFramer();
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 7) frames.push(...f.push(stream.subarray(i, i + 7)).frames);
    assert.equal(frames.length, 2);
    assert.ok(frames.every((fr) => parseMessage(fr).ok));
  });

  it('a one-byte dribble of pipelined messages with bodies and keep-alives yields every message, nothing left over', () => {
    const one = serializeMessage((parseMessage(crlf(BASE)) as { ok: true; message: never }).message);
    const stream = Buffer.concat([one, Buffer.from('\r\n\r\n'), one, one]);
    const f = new SipStreamFramer();
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...f.push(stream.subarray(i, i + 1)).frames);
    assert.equal(frames.length, 3);
    assert.ok(frames.every((fr) => fr.equals(one)));
    assert.equal(f.bufferedBytes, 0);
  });

  it('more than maxBytes for one message is a framing error', () => {
    const f = new SipStreamFramer(1024);
    assert.equal(f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'y'.repeat(600))).error, undefined);
    assert.match(f.push(Buffer.from('y'.repeat(600))).error ?? '', /too large/);
  });

  it('a stream message without Content-Length is a framing error', () => {
    const f = new SipStreamFramer();
    const r = f.push(crlf(BASE.filter((l) => !l.startsWith('Content-Length'))));
    assert.match(r.error ?? '', /Content-Length/);
  });
});
