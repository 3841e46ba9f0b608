/**
 * Packet-loss concealment for decoded 8 kHz frames: a lost frame repeats the last good one at
 * half the level, then a quarter, then silence; the first good frame after a loss fades in.
 */
export class LossConcealer {
  #last: Int16Array | undefined;
  #lostRun = 0;

  /** Passes a received frame through (fading in right after a concealed gap). */
  good(frame: Int16Array): Int16Array {
    let out = frame;
    if (this.#lostRun > 0) {
      out = new Int16Array(frame.length);
      for (let i = 0; i < frame.length; i++) out[i] = Math.round((frame[i]! * (i + 1)) / frame.length);
    }
    this.#last = frame;
    this.#lostRun = 0;
    return out;
  }

  /** A replacement for one lost frame of `samples` samples. */
  conceal(samples: number): Int16Array {
    this.#lostRun++;
    const out = new Int16Array(samples);
    const last = this.#last;
    if (!last || this.#lostRun > 2) return out;
    const gain = this.#lostRun === 1 ? 0.5 : 0.25;
    for (let i = 0; i < samples; i++) out[i] = Math.round(last[i % last.length]! * gain);
    return out;
  }
}
