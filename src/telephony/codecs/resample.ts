/**
 * Windowed-sinc polyphase resampling between any two integer rates (8 kHz ↔ 16 / 22.05 / 24 kHz
 * in practice). The ratio is reduced to up/down factors L/M; output sample n sits at input time
 * n·M/L, and each of the L fractional phases has its own precomputed Blackman-windowed sinc
 * kernel. When downsampling the cutoff follows the output Nyquist frequency (anti-aliasing).
 *
 * StreamingResampler keeps the input history and the output position across chunks, so 20 ms
 * chunks resample exactly like one long buffer (no clicks at chunk edges). It delays the output
 * by the kernel half-width (≤ 3 ms); flush() returns the tail.
 */

/** Zero crossings of the kernel on each side, in units of the narrower band. */
const ZERO_CROSSINGS = 16;
/** Passband fraction of the Nyquist frequency kept below the cutoff. */
const ROLLOFF = 0.92;

interface Kernel {
  up: number;
  down: number;
  /** Kernel half-width in input samples. */
  half: number;
  /** up × (2·half) coefficients: row p is the kernel for fractional phase p/up. */
  taps: Float32Array;
}

const kernels = new Map<string, Kernel>();

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function blackman(x: number): number {
  // x in [-1, 1]
  return 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
}

function kernelFor(fromHz: number, toHz: number): Kernel {
  const key = `${fromHz}:${toHz}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const g = gcd(fromHz, toHz);
  const up = toHz / g;
  const down = fromHz / g;
  const cutoff = Math.min(1, up / down) * ROLLOFF; // fraction of the input Nyquist frequency
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const width = 2 * half;
  const taps = new Float32Array(up * width);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    const row = new Float64Array(width);
    for (let j = 0; j < width; j++) {
      const d = half - 1 - j + p / up; // output time minus input sample time
      const v = Math.abs(d) >= half ? 0 : cutoff * sinc(cutoff * d) * blackman(d / half);
      row[j] = v;
      sum += v;
    }
    for (let j = 0; j < width; j++) taps[p * width + j] = row[j]! / sum; // unity DC gain per phase
  }
  const kernel = { up, down, half, taps };
  kernels.set(key, kernel);
  return kernel;
}

function assertRate(name: string, hz: number): void {
  if (!Number.isInteger(hz) || hz < 1000 || hz > 192000)
    throw new RangeError(`${name} must be an integer rate in Hz (1000..192000), got ${hz}`);
}

export class StreamingResampler {
  readonly fromHz: number;
  readonly toHz: number;
  readonly #k: Kernel | undefined;
  /** Input history; #hist[0] is absolute input index #histStart. */
  #hist = new Float32Array(0);
  #histStart = 0;
  #histLen = 0;
  /** Absolute number of input samples received. */
  #inCount = 0;
  /** Index of the next output sample. */
  #outIndex = 0;

  constructor(fromHz: number, toHz: number) {
    assertRate('fromHz', fromHz);
    assertRate('toHz', toHz);
    this.fromHz = fromHz;
    this.toHz = toHz;
    this.#k = fromHz === toHz ? undefined : kernelFor(fromHz, toHz);
  }

  /** Resamples the next chunk; the output may be a few samples shorter than the ratio says (kept for the next chunk). */
  process(chunk: Int16Array): Int16Array {
    if (!this.#k) return chunk.slice();
    this.#append(chunk);
    return this.#produce(this.#inCount - 1 - this.#k.half);
  }

  /** Returns the remaining output (the input is padded with silence) and resets the stream. */
  flush(): Int16Array {
    const k = this.#k;
    if (!k) return new Int16Array(0);
    const total = Math.ceil((this.#inCount * k.up) / k.down);
    const out = this.#produce(Number.POSITIVE_INFINITY, total);
    this.#hist = new Float32Array(0);
    this.#histStart = 0;
    this.#histLen = 0;
    this.#inCount = 0;
    this.#outIndex = 0;
    return out;
  }

  #append(chunk: Int16Array): void {
    const needed = this.#histLen + chunk.length;
    if (needed > this.#hist.length) {
      const grown = new Float32Array(Math.max(needed, this.#hist.length * 2, 1024));
      grown.set(this.#hist.subarray(0, this.#histLen));
      this.#hist = grown;
    }
    for (let i = 0; i < chunk.length; i++) this.#hist[this.#histLen + i] = chunk[i]!;
    this.#histLen += chunk.length;
    this.#inCount += chunk.length;
  }

  /** Emits outputs whose newest needed input index is ≤ maxInputIndex (and whose index < limit). */
  #produce(maxInputIndex: number, limit = Number.POSITIVE_INFINITY): Int16Array {
    const { up, down, half, taps } = this.#k!;
    const width = 2 * half;
    const out: number[] = [];
    for (;;) {
      const n = this.#outIndex;
      if (n >= limit) break;
      const pos = n * down;
      const base = Math.floor(pos / up);
      if (base + half > maxInputIndex && maxInputIndex !== Number.POSITIVE_INFINITY) break;
      const phase = pos - base * up;
      const first = base - half + 1; // absolute input index of tap 0
      const row = phase * width;
      let acc = 0;
      for (let j = 0; j < width; j++) {
        const idx = first + j - this.#histStart;
        if (idx < 0 || idx >= this.#histLen) continue; // before the stream started / past its end: silence
        acc += this.#hist[idx]! * taps[row + j]!;
      }
      out.push(acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc));
      this.#outIndex++;
    }
    this.#trim(Math.floor((this.#outIndex * down) / up) - half + 1);
    return Int16Array.from(out);
  }

  /** Drops history older than absolute input index keepFrom. */
  #trim(keepFrom: number): void {
    const drop = Math.min(keepFrom - this.#histStart, this.#histLen);
    if (drop <= 0) return;
    this.#hist.copyWithin(0, drop, this.#histLen);
    this.#histLen -= drop;
    this.#histStart += drop;
  }
}

/** One-shot resampling of a whole buffer (same result as streaming it in chunks). */
export function resample(samples: Int16Array, fromHz: number, toHz: number): Int16Array {
  const r = new StreamingResampler(fromHz, toHz);
  const head = r.process(samples);
  const tail = r.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
