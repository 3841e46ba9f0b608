import { FRAME_SAMPLES } from './frame';

/** The empty partial frame (never written to: a zero-length array has nothing to write). */
const EMPTY = new Int16Array(0);

/**
 * A FIFO of fixed-size PCM frames fed with chunks of any length: the one place audio is cut into
 * 20 ms frames. RTP queues agent audio here and re-chunks 30 ms packets into 20 ms frames; TTS
 * output and test fixtures are framed with it. Read frame by frame (`write` + `shift`) or take
 * every whole frame at once (`push`); `flush` ends the stream with the tail zero-padded.
 */
export class FrameChunker {
  readonly frameSamples: number;
  readonly #frames: Int16Array[] = [];
  readonly #views: boolean;
  #head = 0;
  #partial = EMPTY;

  /**
   * `views`: frames are views into the written chunks (no copy per frame, so no allocation per
   * 20 ms on the RTP paths); the writer then must not modify a chunk after writing it.
   */
  constructor(frameSamples = FRAME_SAMPLES, options: { views?: boolean } = {}) {
    this.frameSamples = frameSamples;
    this.#views = options.views ?? false;
  }

  /** Appends samples; whole frames wait in the queue. */
  write(samples: Int16Array): void {
    let data = samples;
    if (this.#partial.length > 0) {
      data = new Int16Array(this.#partial.length + samples.length);
      data.set(this.#partial);
      data.set(samples, this.#partial.length);
    }
    const n = this.frameSamples;
    let i = 0;
    for (; i + n <= data.length; i += n)
      this.#frames.push(this.#views ? data.subarray(i, i + n) : data.slice(i, i + n));
    this.#partial = i === data.length ? EMPTY : data.slice(i);
  }

  /** Appends samples and returns every whole frame queued (a trailing partial frame stays). */
  push(samples: Int16Array): Int16Array[] {
    this.write(samples);
    const out = this.#frames.slice(this.#head);
    this.#frames.length = 0;
    this.#head = 0;
    return out;
  }

  /** Every frame left, the trailing partial one zero-padded (none if empty). */
  flush(): Int16Array[] {
    const out = this.push(new Int16Array(0));
    const last = this.shift(true);
    if (last) out.push(last);
    return out;
  }

  /** Whole frames waiting. */
  get frames(): number {
    return this.#frames.length - this.#head;
  }

  /** Samples waiting, including a trailing partial frame. */
  get samples(): number {
    return this.frames * this.frameSamples + this.#partial.length;
  }

  /** The next whole frame; with padPartial, a trailing partial frame comes out zero-padded. */
  shift(padPartial = false): Int16Array | undefined {
    if (this.#head < this.#frames.length) {
      const frame = this.#frames[this.#head]!;
      this.#head++;
      if (this.#head === this.#frames.length) {
        // Drained: drop the references now (an RTP receiver writes one frame and takes it; keeping
        // up to 256 taken frames alive per session made them survive and promote in every GC).
        this.#frames.length = 0;
        this.#head = 0;
      } else if (this.#head > 256 && this.#head * 2 > this.#frames.length) {
        this.#frames.splice(0, this.#head);
        this.#head = 0;
      }
      return frame;
    }
    if (padPartial && this.#partial.length > 0) {
      const frame = new Int16Array(this.frameSamples);
      frame.set(this.#partial);
      this.#partial = EMPTY;
      return frame;
    }
    return undefined;
  }

  clear(): void {
    this.#frames.length = 0;
    this.#head = 0;
    this.#partial = EMPTY;
  }
}

/** Cuts a whole buffer into frames; the last partial frame is zero-padded. */
export function toFrames(samples: Int16Array, frameSamples = FRAME_SAMPLES): Int16Array[] {
  const chunker = new FrameChunker(frameSamples);
  chunker.write(samples);
  return chunker.flush();
}
