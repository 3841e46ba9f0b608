/**
 * Streaming resampler for mono 16-bit audio: a windowed-sinc low-pass (when downsampling) followed
 * by linear interpolation at the output rate. State carries across chunks, so a stream can be fed
 * in arbitrary pieces without clicks at the seams. Good enough for speech to telephony (8 kHz).
 */
export class StreamingResampler {
  readonly #ratio: number; // input samples per output sample
  readonly #taps: Float32Array;
  readonly #history: Float32Array; // last taps.length-1 raw input samples
  #filtered: number[] = []; // filtered input not yet consumed
  #pos = 0; // fractional read position into #filtered

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
    tapCount = 31,
  ) {
    this.#ratio = fromHz / toHz;
    const cutoff = fromHz > toHz ? (0.45 * toHz) / fromHz : 0.5; // normalized to the input rate
    this.#taps = fromHz > toHz ? lowPassTaps(tapCount, cutoff) : Float32Array.of(1);
    this.#history = new Float32Array(this.#taps.length - 1);
  }

  /** Resamples one chunk; output length varies with the carried fractional position. */
  push(input: Int16Array): Int16Array {
    if (this.fromHz === this.toHz) return input.slice();
    const taps = this.#taps;
    const hist = this.#history;
    const n = taps.length;
    for (let i = 0; i < input.length; i++) {
      // Convolve over [history..., input[0..i]].
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const idx = i - k;
        const s = idx >= 0 ? input[idx]! : hist[hist.length + idx]!;
        acc += taps[k]! * s;
      }
      this.#filtered.push(acc);
    }
    // Keep the last n-1 raw samples for the next chunk.
    const all = new Float32Array(hist.length + input.length);
    all.set(hist);
    for (let i = 0; i < input.length; i++) all[hist.length + i] = input[i]!;
    hist.set(all.subarray(all.length - hist.length));

    const out: number[] = [];
    const f = this.#filtered;
    while (this.#pos + 1 < f.length) {
      const i = Math.floor(this.#pos);
      const frac = this.#pos - i;
      const v = f[i]! * (1 - frac) + f[i + 1]! * frac;
      out.push(v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v));
      this.#pos += this.#ratio;
    }
    const consumed = Math.floor(this.#pos);
    this.#filtered = f.slice(consumed);
    this.#pos -= consumed;
    return Int16Array.from(out);
  }
}

/** Hann-windowed sinc low-pass with unity DC gain; `cutoff` as a fraction of the sample rate. */
function lowPassTaps(count: number, cutoff: number): Float32Array {
  const taps = new Float32Array(count);
  const mid = (count - 1) / 2;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (count - 1));
    taps[i] = sinc * w;
    sum += taps[i]!;
  }
  for (let i = 0; i < count; i++) taps[i] = taps[i]! / sum;
  return taps;
}

/** Re-chunks a stream of 8 kHz samples into exact 20 ms frames. */
export class FrameChunker {
  #pending = new Int16Array(0);

  constructor(readonly frameSamples = 160) {}

  push(samples: Int16Array): Int16Array[] {
    const all = new Int16Array(this.#pending.length + samples.length);
    all.set(this.#pending);
    all.set(samples, this.#pending.length);
    const frames: Int16Array[] = [];
    let off = 0;
    for (; off + this.frameSamples <= all.length; off += this.frameSamples)
      frames.push(all.slice(off, off + this.frameSamples));
    this.#pending = all.slice(off);
    return frames;
  }

  /** The last partial frame, zero-padded (or none). */
  flush(): Int16Array[] {
    if (this.#pending.length === 0) return [];
    const f = new Int16Array(this.frameSamples);
    f.set(this.#pending);
    this.#pending = new Int16Array(0);
    return [f];
  }
}
