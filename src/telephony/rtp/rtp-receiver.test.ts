import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAlaw, encodeMulaw } from '../../audio/g711';
import { encodeTelephoneEvent, type DtmfEvent } from './dtmf-rfc4733';
import { RtpReceiver } from './rtp-receiver';
import type { RtpPacket } from './rtp-packet';

function setup(): { rx: RtpReceiver; frames: Int16Array[]; digits: DtmfEvent[] } {
  const frames: Int16Array[] = [];
  const digits: DtmfEvent[] = [];
  const rx = new RtpReceiver({ audio: (f) => frames.push(f), dtmf: (d) => digits.push(d) });
  rx.setMedia({
    codec: 'PCMA',
    payloadType: 8,
    telephoneEventPayloadType: 96,
    remoteAddress: '127.0.0.1',
    remotePort: 1,
    direction: 'sendrecv',
    ptimeMs: 20,
    onHold: false,
  });
  return { rx, frames, digits };
}

const pkt = (seq: number, payloadType: number, payload: Uint8Array, ssrc = 1, timestamp = seq * 160): RtpPacket => ({
  marker: false,
  payloadType,
  sequenceNumber: seq,
  timestamp,
  ssrc,
  payload,
});

describe('RTP receiver', () => {
  it('decodes the negotiated codec and also static PCMU', () => {
    const { rx, frames } = setup();
    assert.equal(rx.receive(pkt(1, 8, encodeAlaw(new Int16Array(160).fill(1000))), 0), true);
    assert.equal(rx.receive(pkt(2, 0, encodeMulaw(new Int16Array(160).fill(-1000))), 20), true);
    assert.equal(frames.length, 2);
    assert.ok(Math.abs(frames[0]![0]! - 1000) < 40 && Math.abs(frames[1]![0]! + 1000) < 40);
  });

  it('takes DTMF on the negotiated telephone-event type; DTMF slots make no audio and no loss', () => {
    const { rx, frames, digits } = setup();
    rx.receive(pkt(1, 8, new Uint8Array(160).fill(0xd5)), 0);
    rx.receive(pkt(2, 96, encodeTelephoneEvent({ event: 7, end: false, volume: 10, duration: 160 }), 1, 320), 20);
    rx.receive(pkt(3, 96, encodeTelephoneEvent({ event: 7, end: true, volume: 10, duration: 800 }), 1, 320), 40);
    rx.receive(pkt(4, 96, encodeTelephoneEvent({ event: 7, end: true, volume: 10, duration: 800 }), 1, 320), 41);
    rx.receive(pkt(5, 13, Uint8Array.of(40)), 60);
    rx.receive(pkt(6, 8, new Uint8Array(160).fill(0xd5)), 80);
    assert.deepEqual(digits, [{ digit: '7', durationMs: 100 }]);
    assert.equal(frames.length, 2);
    assert.equal(rx.packetsLost, 0);
  });

  it('refuses payload types that are not ours', () => {
    const { rx, frames } = setup();
    assert.equal(rx.receive(pkt(1, 18, new Uint8Array(20)), 0), false);
    assert.equal(rx.receive(pkt(2, 101, new Uint8Array(4)), 0), false, '101 is not the negotiated event type here');
    assert.equal(frames.length, 0);
  });

  it('starts over on a new SSRC instead of treating its sequence numbers as loss', () => {
    const { rx, frames } = setup();
    rx.receive(pkt(100, 8, new Uint8Array(160)), 0);
    rx.receive(pkt(101, 8, new Uint8Array(160)), 20);
    rx.receive(pkt(7, 8, new Uint8Array(160), 2), 40);
    rx.receive(pkt(8, 8, new Uint8Array(160), 2), 60);
    assert.equal(frames.length, 4);
    assert.equal(rx.packetsLost, 0);
  });

  it('estimates interarrival jitter: ~0 for a steady stream, larger when packets bunch up', () => {
    const steady = setup();
    for (let i = 0; i < 50; i++) steady.rx.receive(pkt(i, 8, new Uint8Array(160)), i * 20);
    assert.ok(steady.rx.jitterMs < 0.01);
    const bursty = setup();
    for (let i = 0; i < 50; i++) bursty.rx.receive(pkt(i, 8, new Uint8Array(160)), Math.floor(i / 5) * 100);
    assert.ok(bursty.rx.jitterMs > 5, `${bursty.rx.jitterMs}`);
  });
});
