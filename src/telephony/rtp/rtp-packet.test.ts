import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtpPacket, serializeRtpPacket, seqDelta, tsDelta, type RtpPacket } from './rtp-packet';

function roundTrip(p: RtpPacket): RtpPacket {
  const r = parseRtpPacket(serializeRtpPacket(p));
  if (!r.ok) assert.fail(r.reason);
  return { ...r.packet, payload: Uint8Array.from(r.packet.payload) };
}

describe('RTP packet', () => {
  it('round-trips every header field, including the largest sequence number, timestamp and SSRC', () => {
    const p: RtpPacket = {
      marker: true,
      payloadType: 8,
      sequenceNumber: 65535,
      timestamp: 0xffffffff,
      ssrc: 0xdeadbeef,
      payload: Uint8Array.from([1, 2, 3, 0xd5]),
    };
    assert.deepEqual(roundTrip(p), p);
    const q: RtpPacket = {
      marker: false,
      payloadType: 101,
      sequenceNumber: 0,
      timestamp: 0,
      ssrc: 1,
      csrcs: [7, 0xffffffff],
      payload: new Uint8Array(160),
    };
    assert.deepEqual(roundTrip(q), q);
  });

  it('writes the RFC 3550 layout (version 2, marker bit, big-endian fields)', () => {
    const buf = serializeRtpPacket({
      marker: true,
      payloadType: 0,
      sequenceNumber: 0x1234,
      timestamp: 0x01020304,
      ssrc: 0x0a0b0c0d,
      payload: Uint8Array.from([0xff]),
    });
    assert.equal(buf.toString('hex'), '8080123401020304' + '0a0b0c0d' + 'ff');
  });

  it('wraps sequence numbers and timestamps when the caller passes the next value', () => {
    const a = roundTrip({
      marker: false,
      payloadType: 0,
      sequenceNumber: 65536,
      timestamp: 2 ** 32 + 160,
      ssrc: 1,
      payload: new Uint8Array(0),
    });
    assert.equal(a.sequenceNumber, 0);
    assert.equal(a.timestamp, 160);
    assert.equal(seqDelta(65535, 0), 1);
    assert.equal(seqDelta(0, 65535), -1);
    assert.equal(seqDelta(65000, 100), 636);
    assert.equal(tsDelta(0xffffff60, 0x00000000), 160);
  });

  it('skips a header extension and strips padding', () => {
    const header = Buffer.from('b0000001' + '00000002' + '00000003', 'hex'); // V=2, P=1, X=1
    const ext = Buffer.from('bede0001' + 'aabbccdd', 'hex');
    const payload = Buffer.from('0102', 'hex');
    const padding = Buffer.from('000003', 'hex');
    const r = parseRtpPacket(Buffer.concat([header, ext, payload, padding]));
    assert.ok(r.ok);
    assert.deepEqual(Buffer.from(r.packet.payload), payload);
    assert.equal(r.packet.sequenceNumber, 1);
  });

  const bad: Array<[string, string]> = [
    ['too short', '8000'],
    ['version 1', '4000000100000002000000030102'],
    ['an RTCP sender report', '80c8000600000001'.padEnd(24, '0')],
    ['CSRC count past the end', '8f00000100000002000000030000'],
    ['extension past the end', '900000010000000200000003bede0009'],
    ['padding longer than the packet', 'a00000010000000200000003ff'],
    ['zero padding length', 'a0000001000000020000000300'],
  ];
  for (const [name, hex] of bad) {
    it(`rejects ${name} with a reason instead of throwing`, () => {
      const r = parseRtpPacket(Buffer.from(hex, 'hex'));
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.length > 0);
    });
  }

  it('never throws on random bytes', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      if (i % 2 === 0 && buf.length > 0) buf[0] = 0x80 | (buf[0]! & 0x3f);
      parseRtpPacket(buf);
    }
  });
});
