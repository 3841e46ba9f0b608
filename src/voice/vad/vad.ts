/** A voice-activity detector for 20 ms frames of 8 kHz mono audio. Synchronous and cheap. */
export interface VadProvider {
  /** True when the frame contains speech. */
  isSpeech(frame: Int16Array): boolean;
  reset(): void;
  close(): void;
}

/** Creates one detector per conversation (detectors keep per-stream state). */
export type VadFactory = () => Promise<VadProvider>;

/**
 * Energy-threshold VAD: a fallback that needs no WASM, and a predictable detector for tests.
 * `thresholdDbfs` is the RMS level above which a frame counts as speech.
 */
export class EnergyVad implements VadProvider {
  constructor(readonly thresholdDbfs = -45) {}

  isSpeech(frame: Int16Array): boolean {
    let sum = 0;
    for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
    const rms = Math.sqrt(sum / Math.max(1, frame.length)) / 32768;
    return rms > 0 && 20 * Math.log10(rms) > this.thresholdDbfs;
  }

  reset(): void {}
  close(): void {}
}
