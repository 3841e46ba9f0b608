import { FRAME_MS, TELEPHONY_RATE_HZ } from '../../audio/frame';

/** Probe frequencies: the voice band where answering machines beep, every 25 Hz. */
const FREQS_HZ = Array.from({ length: (2100 - 400) / 25 + 1 }, (_, i) => 400 + i * 25);
const COEFFS = FREQS_HZ.map((f) => 2 * Math.cos((2 * Math.PI * f) / TELEPHONY_RATE_HZ));

export interface BeepDetectorOptions {
  /** Share of the frame's energy at one frequency for a frame to count as tone (0–1). */
  minPurity?: number;
  /** Consecutive tone frames (same frequency ±50 Hz) that make a beep. */
  minToneMs?: number;
  /** Quieter frames are never tone (dBFS). */
  minLevelDbfs?: number;
}

/**
 * Sans-IO beep detector: per 20 ms frame, Goertzel power at 400–2100 Hz (25 Hz steps); a frame is
 * "tone" when one frequency holds most of its energy (speech spreads over harmonics and formants,
 * a beep does not). `push` returns true on the frame that completes a beep (a steady tone of at
 * least `minToneMs`); the tone must stop before another beep can be reported.
 */
export class BeepDetector {
  readonly #minPurity: number;
  readonly #minFrames: number;
  readonly #minPower: number;
  #run = 0;
  #runHz = 0;
  #reported = false;

  constructor(options: BeepDetectorOptions = {}) {
    this.#minPurity = options.minPurity ?? 0.6;
    this.#minFrames = Math.max(1, Math.round((options.minToneMs ?? 120) / FRAME_MS));
    this.#minPower = 10 ** ((options.minLevelDbfs ?? -40) / 10);
  }

  /** The dominant frequency of the last tone frame (Hz), 0 when the last frame was not tone. */
  get toneHz(): number {
    return this.#run > 0 ? this.#runHz : 0;
  }

  push(frame: Int16Array): boolean {
    const hz = toneOf(frame, this.#minPurity, this.#minPower);
    if (hz === 0 || (this.#run > 0 && Math.abs(hz - this.#runHz) > 50)) {
      this.#reported = this.#reported && hz !== 0;
      this.#run = hz === 0 ? 0 : 1;
      this.#runHz = hz;
      return false;
    }
    this.#run++;
    this.#runHz = hz;
    if (this.#run >= this.#minFrames && !this.#reported) {
      this.#reported = true;
      return true;
    }
    return false;
  }
}

/** The frequency holding at least `minPurity` of the frame's energy, else 0. */
export function toneOf(frame: Int16Array, minPurity: number, minPower: number): number {
  const n = frame.length;
  let energy = 0;
  for (let i = 0; i < n; i++) energy += ((frame[i] ?? 0) / 32768) ** 2;
  if (energy / n < minPower) return 0;
  let bestHz = 0;
  let best = 0;
  for (let k = 0; k < COEFFS.length; k++) {
    const c = COEFFS[k] ?? 0;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s = (frame[i] ?? 0) / 32768 + c * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    const power = s1 * s1 + s2 * s2 - c * s1 * s2;
    if (power > best) {
      best = power;
      bestHz = FREQS_HZ[k] ?? 0;
    }
  }
  // A pure tone of energy E on a probe frequency has power E·n/2.
  return best / ((energy * n) / 2) >= minPurity ? bestHz : 0;
}
