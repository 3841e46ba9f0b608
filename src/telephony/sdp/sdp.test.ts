import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildOffer,
  isSdpError,
  negotiateAnswer,
  parseSdp,
  readAnswer,
  SdpParseError,
  type AnswerOptions,
  type NegotiatedMedia,
} from './index';

/** An offer in the shape sipp's built-in uac sends (LF line ends, session-level c=). */
const SIPP_OFFER = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\n');

function offer(lines: string[]): string {
  return ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=x', 't=0 0', ...lines, ''].join('\r\n');
}

const LOCAL = { address: '198.51.100.7', port: 20000, sessionId: 42 };

function answer(text: string, local: AnswerOptions = LOCAL): { answerSdp: string; media: NegotiatedMedia } {
  const r = negotiateAnswer(text, local);
  if (isSdpError(r)) assert.fail(r.error);
  return r;
}

describe('SDP offer', () => {
  it('offers PCMU, PCMA and telephone-event with ptime 20, sendrecv, our address in o= and c=', () => {
    const sdp = buildOffer({ address: '203.0.113.10', port: 20002, sessionId: 777 });
    assert.ok(sdp.endsWith('\r\n') && !/[^\r]\n/.test(sdp), 'CRLF line ends');
    const sd = parseSdp(sdp);
    assert.equal(sd.origin.sessionId, '777');
    assert.deepEqual(sd.connection, { addressType: 'IP4', address: '203.0.113.10' });
    const m = sd.media[0]!;
    assert.deepEqual([m.type, m.port, m.proto, m.formats], ['audio', 20002, 'RTP/AVP', ['0', '8', '101']]);
    assert.deepEqual(
      m.rtpmaps.map((r) => `${r.payloadType} ${r.encoding}/${r.clockRate}`),
      ['0 PCMU/8000', '8 PCMA/8000', '101 telephone-event/8000'],
    );
    assert.equal(m.fmtps.get(101), '0-16');
    assert.equal(m.ptimeMs, 20);
    assert.equal(m.direction, 'sendrecv');
  });

  it('honours codec order, no telephone-event, a hold direction, a session version and IPv6', () => {
    const sd = parseSdp(
      buildOffer({
        address: '2001:db8::5',
        port: 30000,
        sessionId: 1,
        sessionVersion: 2,
        codecs: ['PCMA'],
        telephoneEvent: false,
        direction: 'sendonly',
      }),
    );
    assert.deepEqual(sd.media[0]!.formats, ['8']);
    assert.equal(sd.media[0]!.direction, 'sendonly');
    assert.equal(sd.origin.sessionVersion, '2');
    assert.equal(sd.connection?.addressType, 'IP6');
  });
});

describe('SDP answer (inbound offers)', () => {
  it("answers sipp's offer with PCMU on our port and learns where to send", () => {
    const { answerSdp, media } = answer(SIPP_OFFER);
    assert.deepEqual(media, {
      codec: 'PCMU',
      payloadType: 0,
      remoteAddress: '127.0.0.1',
      remotePort: 6000,
      direction: 'sendrecv',
      ptimeMs: 20,
      onHold: false,
    });
    const sd = parseSdp(answerSdp);
    assert.equal(sd.media[0]!.port, 20000);
    assert.deepEqual(sd.media[0]!.formats, ['0']);
    assert.equal(sd.connection?.address, LOCAL.address);
  });

  it("follows the offerer's preference (PCMA first) and echoes its dynamic telephone-event payload type", () => {
    const { answerSdp, media } = answer(
      offer([
        'c=IN IP4 192.0.2.1',
        'm=audio 7000 RTP/AVP 18 8 0 96',
        'a=rtpmap:18 G729/8000',
        'a=rtpmap:96 telephone-event/8000',
        'a=fmtp:96 0-15',
        'a=ptime:30',
      ]),
    );
    assert.equal(media.codec, 'PCMA');
    assert.equal(media.payloadType, 8);
    assert.equal(media.telephoneEventPayloadType, 96);
    assert.equal(media.ptimeMs, 30);
    const m = parseSdp(answerSdp).media[0]!;
    assert.deepEqual(m.formats, ['8', '96']);
    assert.equal(m.ptimeMs, 20);
  });

  it('uses a media-level c= over the session-level one', () => {
    const { media } = answer(offer(['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 0', 'c=IN IP4 192.0.2.99']));
    assert.equal(media.remoteAddress, '192.0.2.99');
  });

  it('accepts a dynamic payload type mapped to PCMU', () => {
    const { media } = answer(offer(['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 97', 'a=rtpmap:97 pcmu/8000']));
    assert.equal(media.codec, 'PCMU');
    assert.equal(media.payloadType, 97);
  });

  const holds: Array<[string, string[], string, boolean]> = [
    ['sendonly (hold with music)', ['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 0', 'a=sendonly'], 'recvonly', true],
    ['inactive', ['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 0', 'a=inactive'], 'inactive', true],
    ['recvonly', ['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 0', 'a=recvonly'], 'sendonly', false],
    ['session-level sendonly', ['c=IN IP4 192.0.2.1', 'a=sendonly', 'm=audio 7000 RTP/AVP 0'], 'recvonly', true],
    ['c=0.0.0.0 (RFC 2543 hold)', ['c=IN IP4 0.0.0.0', 'm=audio 7000 RTP/AVP 0'], 'recvonly', true],
    ['c=0.0.0.0 with inactive', ['c=IN IP4 0.0.0.0', 'm=audio 7000 RTP/AVP 0', 'a=inactive'], 'inactive', true],
  ];
  for (const [name, lines, ours, onHold] of holds) {
    it(`answers ${name} with ${ours} and reports hold=${onHold}`, () => {
      const { answerSdp, media } = answer(offer(lines));
      assert.equal(media.direction, ours);
      assert.equal(media.onHold, onHold);
      assert.equal(parseSdp(answerSdp).media[0]!.direction, ours);
    });
  }

  it('puts the call on hold from our side when asked (sendonly answer to sendrecv)', () => {
    const { media } = answer(offer(['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 0']), {
      ...LOCAL,
      direction: 'sendonly',
    });
    assert.equal(media.direction, 'sendonly');
  });

  it('answers every m= line: the chosen audio stream, the others rejected with port 0', () => {
    const { answerSdp } = answer(
      offer([
        'c=IN IP4 192.0.2.1',
        'm=audio 7000 RTP/SAVP 0',
        'm=audio 7002 RTP/AVP 8',
        'm=video 7004 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
      ]),
    );
    const ms = parseSdp(answerSdp).media;
    assert.deepEqual(
      ms.map((m) => [m.type, m.port, m.proto]),
      [
        ['audio', 0, 'RTP/SAVP'],
        ['audio', 20000, 'RTP/AVP'],
        ['video', 0, 'RTP/AVP'],
      ],
    );
  });

  const rejects: Array<[string, string, RegExp]> = [
    [
      'no common codec',
      offer(['c=IN IP4 192.0.2.1', 'm=audio 7000 RTP/AVP 18 9', 'a=rtpmap:18 G729/8000', 'a=rtpmap:9 G722/8000']),
      /no common codec.*G729/,
    ],
    ['no audio', offer(['c=IN IP4 192.0.2.1', 'm=video 7000 RTP/AVP 96']), /no audio/],
    ['a rejected audio stream only', offer(['c=IN IP4 192.0.2.1', 'm=audio 0 RTP/AVP 0']), /no audio/],
    ['no connection line', offer(['m=audio 7000 RTP/AVP 0']), /connection/],
    ['not SDP', 'hello world', /malformed SDP/],
    ['a broken m= line', offer(['c=IN IP4 192.0.2.1', 'm=audio seven RTP/AVP 0']), /malformed SDP/],
    ['a broken c= line', offer(['c=IN IP4', 'm=audio 7000 RTP/AVP 0']), /malformed SDP/],
    ['an empty body', '', /malformed SDP/],
  ];
  for (const [name, text, re] of rejects) {
    it(`refuses an offer with ${name} (→ SIP 488)`, () => {
      const r = negotiateAnswer(text, LOCAL);
      assert.ok(isSdpError(r), 'expected an error');
      assert.match(r.error, re);
    });
  }

  it('parseSdp throws SdpParseError on garbage', () => {
    assert.throws(() => parseSdp('v=1\r\n'), SdpParseError);
    assert.throws(() => parseSdp('v=0\r\nthis is not sdp\r\n'), SdpParseError);
  });
});

describe('SDP answer to our offer', () => {
  it('reads the codec, telephone-event and address the far end chose', () => {
    const r = readAnswer(
      offer(['c=IN IP4 192.0.2.5', 'm=audio 9000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv']),
    );
    assert.deepEqual(r, {
      codec: 'PCMA',
      payloadType: 8,
      telephoneEventPayloadType: 101,
      remoteAddress: '192.0.2.5',
      remotePort: 9000,
      direction: 'sendrecv',
      ptimeMs: 20,
      onHold: false,
    });
  });

  it('reports an answer that rejects the audio stream or has no codec of ours', () => {
    const rejected = readAnswer(offer(['c=IN IP4 192.0.2.5', 'm=audio 0 RTP/AVP 0']));
    assert.ok(isSdpError(rejected));
    const foreign = readAnswer(offer(['c=IN IP4 192.0.2.5', 'm=audio 9000 RTP/AVP 18']));
    assert.ok(isSdpError(foreign));
  });
});
