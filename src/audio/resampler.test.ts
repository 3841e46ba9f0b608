import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resample, StreamingResampler } from './resampler';
import { speex } from './speex-module';

function tone(hz: number, rateHz: number, samples: number, amplitude = 10000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rateHz)),
  );
}

/** Amplitude of one frequency component (single-bin DFT). */
function amplitudeAt(x: Int16Array, hz: number, rateHz: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rateHz);
    im += x[i]! * Math.sin((2 * Math.PI * hz * i) / rateHz);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

/** Frequency with the most energy between 50 Hz and Nyquist (1 Hz steps around the guess). */
function dominantHz(x: Int16Array, rateHz: number, around: number): number {
  let best = 0;
  let bestAmp = -1;
  for (let hz = around - 40; hz <= around + 40; hz++) {
    const a = amplitudeAt(x, hz, rateHz);
    if (a > bestAmp) [best, bestAmp] = [hz, a];
  }
  return best;
}

const PAIRS: Array<[number, number]> = [
  [8000, 16000],
  [16000, 8000],
  [8000, 22050],
  [22050, 8000],
  [8000, 24000],
  [24000, 8000],
];

describe('resampling', () => {
  for (const [from, to] of PAIRS) {
    it(`${from} → ${to} Hz keeps a 1 kHz tone at 1 kHz with its level, and the length scales with the ratio`, () => {
      const input = tone(1000, from, from); // 1 s
      const out = resample(input, from, to);
      assert.equal(out.length, to);
      const middle = out.subarray(300, out.length - 300);
      assert.equal(dominantHz(middle, to, 1000), 1000);
      const level = amplitudeAt(middle, 1000, to);
      assert.ok(Math.abs(level - 10000) < 150, `level ${level}`);
    });
  }

  for (const [from, to] of PAIRS.filter(([f, t]) => f > t)) {
    it(`${from} → ${to} Hz attenuates a tone above the new Nyquist frequency by more than 50 dB (no aliasing)`, () => {
      const above = to / 2 + 700; // would alias to to/2 - 700
      const out = resample(tone(above, from, from), from, to).subarray(300, -300);
      const alias = amplitudeAt(out, to - above, to);
      const rms = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
      assert.ok(alias < 10000 * 10 ** (-50 / 20), `alias amplitude ${alias}`);
      assert.ok(rms < 30, `rms ${rms}`);
    });
  }

  it('upsampling 8 → 16 kHz puts no image of a 3 kHz tone at 5 kHz', () => {
    const out = resample(tone(3000, 8000, 8000), 8000, 16000).subarray(300, -300);
    assert.ok(amplitudeAt(out, 5000, 16000) < 10000 * 10 ** (-50 / 20));
    assert.ok(amplitudeAt(out, 3000, 16000) > 9800);
  });

  for (const [from, to] of PAIRS) {
    it(`${from} → ${to} Hz streamed in 20 ms chunks equals resampling the whole buffer (no clicks at chunk edges)`, () => {
      const input = tone(440, from, from / 2);
      const whole = resample(input, from, to);
      const r = new StreamingResampler(from, to);
      const chunk = Math.round(from / 50);
      const parts: number[] = [];
      for (let i = 0; i < input.length; i += chunk) parts.push(...r.process(input.subarray(i, i + chunk)));
      parts.push(...r.flush());
      assert.deepEqual(Int16Array.from(parts), whole);
    });
  }

  it('a streamed tone has no discontinuities: neighbour differences stay within the tone slope', () => {
    const r = new StreamingResampler(22050, 8000);
    const input = tone(300, 22050, 22050);
    const out: number[] = [];
    for (let i = 0; i < input.length; i += 441) out.push(...r.process(input.subarray(i, i + 441)));
    const maxSlope = 10000 * 2 * Math.PI * (300 / 8000);
    for (let i = 301; i < out.length - 300; i++) assert.ok(Math.abs(out[i]! - out[i - 1]!) <= maxSlope * 1.05);
  });

  it('same rate is a copy, and bad rates are rejected', () => {
    const x = tone(100, 8000, 160);
    assert.deepEqual(resample(x, 8000, 8000), x);
    assert.throws(() => new StreamingResampler(0, 8000), RangeError);
    assert.throws(() => new StreamingResampler(8000, 44100.5), RangeError);
  });
});

const rms = (s: Int16Array): number => Math.sqrt(s.reduce((a, x) => a + x * x, 0) / s.length);
const zeroCrossings = (s: Int16Array): number =>
  s.reduce((n, x, i) => (i > 0 && s[i - 1]! < 0 !== x < 0 ? n + 1 : n), 0);

describe('Resampling to 8 kHz', () => {
  it('a 1 kHz tone at 22,050 Hz stays a 1 kHz tone of the same level, fed in odd-sized chunks', () => {
    const input = tone(1000, 22050, 22050);
    const r = new StreamingResampler(22050, 8000);
    const parts: Int16Array[] = [];
    for (let i = 0; i < input.length; i += 777) parts.push(r.process(input.subarray(i, i + 777)));
    parts.push(r.flush());
    const out = Int16Array.from(parts.flatMap((p) => [...p]));
    assert.ok(Math.abs(out.length - 8000) <= 5, `length ${out.length}`);
    const body = out.subarray(100, 7900);
    assert.ok(Math.abs(zeroCrossings(body) / (body.length / 8000) - 2000) < 20, 'still 1 kHz');
    assert.ok(Math.abs(rms(body) - rms(input)) / rms(input) < 0.05, 'same level');
  });

  it('content above the new Nyquist frequency is filtered out instead of aliasing', () => {
    const out = resample(tone(6000, 22050, 22050), 22050, 8000);
    assert.ok(rms(out.subarray(100)) < 500, `6 kHz tone leaks at rms ${rms(out.subarray(100))}`);
  });
});

/** SNR (dB) of x against the best-fitting sinusoid at hz (noise, distortion and aliases all count), and its amplitude. */
function toneFit(x: Int16Array, hz: number, rateHz: number): { snrDb: number; amplitude: number } {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = 0; i < x.length; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rateHz);
    const c = Math.cos((2 * Math.PI * hz * i) / rateHz);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i]! * s;
    xc += x[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let signal = 0;
  let residual = 0;
  for (let i = 0; i < x.length; i++) {
    const fit = a * Math.sin((2 * Math.PI * hz * i) / rateHz) + b * Math.cos((2 * Math.PI * hz * i) / rateHz);
    signal += fit * fit;
    residual += (x[i]! - fit) ** 2;
  }
  return { snrDb: 10 * Math.log10(signal / Math.max(residual, 1e-9)), amplitude: Math.hypot(a, b) };
}

describe('resampling quality on a tone sweep (the telephone band, 100 Hz … 3.4 kHz)', () => {
  const SWEEP_HZ = [100, 300, 700, 1000, 1500, 2000, 2500, 3000, 3400];
  for (const [from, to] of PAIRS) {
    it(`${from} → ${to} Hz: every tone keeps its level within 0.1 dB and an SNR of at least 70 dB`, () => {
      for (const hz of SWEEP_HZ) {
        const out = resample(tone(hz, from, from / 2), from, to);
        const { snrDb, amplitude } = toneFit(out.subarray(Math.round(to * 0.05), -Math.round(to * 0.05)), hz, to);
        assert.ok(snrDb >= 70, `${hz} Hz: SNR ${snrDb.toFixed(1)} dB`);
        assert.ok(Math.abs(20 * Math.log10(amplitude / 10000)) < 0.1, `${hz} Hz: level ${amplitude.toFixed(0)}`);
      }
    });
  }

  for (const [from, to] of PAIRS.filter(([f, t]) => f > t)) {
    it(`${from} → ${to} Hz: tones from 300 Hz above the new Nyquist frequency up to the old one leave less than −70 dB`, () => {
      for (let hz = to / 2 + 300; hz < from / 2; hz += 700) {
        const out = resample(tone(hz, from, from / 2), from, to).subarray(200, -200);
        const rmsOut = Math.sqrt(out.reduce((a, v) => a + v * v, 0) / out.length);
        const db = 20 * Math.log10(Math.max(rmsOut, 1e-3) / (10000 / Math.SQRT2));
        assert.ok(db < -70, `${hz} Hz leaks at ${db.toFixed(1)} dB`);
      }
    });
  }
});

describe('resampler lifetime', () => {
  it('close() frees the WASM state: thousands of resamplers do not grow the WASM memory', () => {
    const warm = new StreamingResampler(22050, 8000);
    warm.process(tone(440, 22050, 441));
    warm.close();
    const heapBytes = speex.HEAP16.byteLength;
    for (let i = 0; i < 5000; i++) {
      const r = new StreamingResampler(22050, 8000);
      r.process(tone(440, 22050, 441));
      r.flush();
      r.close();
      r.close(); // idempotent
    }
    assert.equal(speex.HEAP16.byteLength, heapBytes);
  });

  it('a closed resampler refuses more audio; flush() makes it ready for a new stream that resamples like a fresh one', () => {
    const input = tone(440, 16000, 3200);
    const r = new StreamingResampler(16000, 8000);
    r.process(tone(1000, 16000, 1000));
    r.flush();
    const again = [...r.process(input), ...r.flush()];
    assert.deepEqual(Int16Array.from(again), resample(input, 16000, 8000));
    r.close();
    assert.throws(() => r.process(input), /closed/);
  });
});
