import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import alawmulaw from 'alawmulaw';
import { decodeAlaw, decodeMulaw, encodeAlaw, encodeMulaw, G711_SILENCE } from './g711';

const { alaw, mulaw } = alawmulaw;
const everySample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const everyCode = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711', () => {
  it('decodes every µ-law and A-law code exactly like the alawmulaw oracle', () => {
    assert.deepEqual(decodeMulaw(everyCode), mulaw.decode(everyCode));
    assert.deepEqual(decodeAlaw(everyCode), alaw.decode(everyCode));
  });

  it('encodes every 16-bit sample to the same µ-law code as the oracle', () => {
    assert.deepEqual(encodeMulaw(everySample), mulaw.encode(everySample));
  });

  it('encodes A-law like the oracle, and where they differ (segment edges) ours is never farther from the input', () => {
    const ours = encodeAlaw(everySample);
    const theirs = alaw.encode(everySample);
    const ourDecoded = decodeAlaw(ours);
    const theirDecoded = decodeAlaw(theirs);
    let differing = 0;
    for (let i = 0; i < everySample.length; i++) {
      if (ours[i] === theirs[i]) continue;
      differing++;
      assert.ok(
        Math.abs(ourDecoded[i]! - everySample[i]!) <= Math.abs(theirDecoded[i]! - everySample[i]!),
        `sample ${everySample[i]}`,
      );
    }
    assert.ok(differing < everySample.length / 200, `${differing} samples differ`);
  });

  it('round-trips within the quantisation step of each segment (error ≤ 1/16 of the magnitude, ≤ 8 near zero)', () => {
    for (const [encode, decode] of [
      [encodeMulaw, decodeMulaw],
      [encodeAlaw, decodeAlaw],
    ] as const) {
      const back = decode(encode(everySample));
      for (let i = 0; i < everySample.length; i++) {
        const x = everySample[i]!;
        const bound = Math.max(16, Math.abs(x) / 16) + 1;
        assert.ok(Math.abs(back[i]! - x) <= bound, `${x} → ${back[i]}`);
      }
    }
  });

  it('keeps the sign and the monotonic order of the input', () => {
    const ramp = Int16Array.from({ length: 2000 }, (_, i) => (i - 1000) * 30);
    for (const back of [decodeMulaw(encodeMulaw(ramp)), decodeAlaw(encodeAlaw(ramp))]) {
      for (let i = 1; i < ramp.length; i++) assert.ok(back[i]! >= back[i - 1]!);
      assert.ok(back[0]! < 0 && back[ramp.length - 1]! > 0);
    }
  });

  it('uses the standard silence codes', () => {
    assert.equal(encodeMulaw(new Int16Array([0]))[0], G711_SILENCE.PCMU);
    assert.equal(encodeAlaw(new Int16Array([0]))[0], G711_SILENCE.PCMA);
  });
});
