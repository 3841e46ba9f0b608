import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { decodeAlaw } from '../../audio/g711';
import { DtmfReceiver, type DtmfEvent } from './dtmf-rfc4733';
import { FrameChunker } from '../../audio/frame-chunker';
import { JitterBuffer } from './jitter-buffer';
import { parseRtpPacket, type RtpPacket } from './rtp-packet';
import { readPcapUdp } from './testing/pcap-reader';

const DIR = '/usr/share/sip-tester';
const DIGIT_FILES: Array<[string, string]> = [
  ...[...'0123456789'].map((d): [string, string] => [`dtmf_2833_${d}.pcap`, d]),
  ['dtmf_2833_star.pcap', '*'],
  ['dtmf_2833_pound.pcap', '#'],
];

function rtpPackets(file: string): RtpPacket[] {
  return readPcapUdp(`${DIR}/${file}`).flatMap((d) => {
    const r = parseRtpPacket(d.payload);
    return r.ok ? [r.packet] : [];
  });
}

describe(
  "sipp's capture files through our decoders",
  { skip: !existsSync(`${DIR}/g711a.pcap`) && 'sip-tester is not installed' },
  () => {
    for (const [file, digit] of DIGIT_FILES) {
      it(`${file} decodes to exactly one "${digit}"`, () => {
        const rx = new DtmfReceiver();
        const events: DtmfEvent[] = [];
        for (const p of rtpPackets(file)) {
          assert.equal(p.payloadType, 101);
          events.push(...rx.receive(p.timestamp, p.payload));
        }
        events.push(...rx.flush());
        assert.deepEqual(events, [{ digit, durationMs: 280 }]);
      });
    }

    it('g711a.pcap (PCMA, 30 ms packets) decodes to continuous 20 ms frames of real speech-level audio', () => {
      const packets = rtpPackets('g711a.pcap');
      assert.ok(packets.length > 200);
      assert.ok(packets.every((p) => p.payloadType === 8 && p.payload.length === 240));
      const jb = new JitterBuffer<Uint8Array>();
      const frames = new FrameChunker(160);
      const out: Int16Array[] = [];
      for (const p of packets) {
        for (const item of jb.push(p.sequenceNumber, p.payload)) {
          assert.equal(item.kind, 'packet', 'no loss in the capture');
          if (item.kind === 'packet') frames.write(decodeAlaw(item.value));
        }
        for (let f = frames.shift(); f; f = frames.shift()) out.push(f);
      }
      assert.equal(out.length, Math.floor((packets.length * 240) / 160));
      const all = new Int16Array(out.flatMap((f) => [...f]));
      const rms = Math.sqrt(all.reduce((s, v) => s + v * v, 0) / all.length);
      const peak = all.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const clipped = all.filter((v) => Math.abs(v) >= 32000).length;
      const loudFrames = out.filter((f) => Math.sqrt(f.reduce((s, v) => s + v * v, 0) / f.length) > 300).length;
      assert.ok(rms > 200 && rms < 10000, `rms ${rms}`);
      assert.ok(peak > 2000, `peak ${peak}`);
      assert.ok(clipped < all.length / 1000, `${clipped} clipped samples`);
      assert.ok(
        loudFrames > out.length / 10 && loudFrames < out.length,
        `${loudFrames}/${out.length} frames with voice`,
      );
      // Zero crossings in the speech band (not noise, not DC): 100..3000 per second on voiced frames.
      const voiced = out.filter((f) => Math.sqrt(f.reduce((s, v) => s + v * v, 0) / f.length) > 300);
      const crossings = voiced.reduce((n, f) => n + f.slice(1).filter((v, i) => v >= 0 !== f[i]! >= 0).length, 0);
      const perSecond = crossings / (voiced.length * 0.02);
      assert.ok(perSecond > 100 && perSecond < 3000, `${perSecond} zero crossings/s`);
    });
  },
);
