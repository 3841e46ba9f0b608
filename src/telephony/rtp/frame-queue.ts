/**
 * A FIFO of fixed-size PCM frames fed with chunks of any length. The outgoing side of an RTP
 * session queues agent audio here; the receiving side re-chunks 30 ms packets into 20 ms frames.
 */
export class FrameQueue {
  readonly frameSamples: number;
  readonly #frames: Int16Array[] = [];
  #head = 0;
  #partial = new Int16Array(0);

  constructor(frameSamples = 160) {
    this.frameSamples = frameSamples;
  }

  push(samples: Int16Array): void {
    let data = samples;
    if (this.#partial.length > 0) {
      data = new Int16Array(this.#partial.length + samples.length);
      data.set(this.#partial);
      data.set(samples, this.#partial.length);
    }
    const n = this.frameSamples;
    let i = 0;
    for (; i + n <= data.length; i += n) this.#frames.push(data.slice(i, i + n));
    this.#partial = data.slice(i);
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
      if (this.#head > 256 && this.#head * 2 > this.#frames.length) {
        this.#frames.splice(0, this.#head);
        this.#head = 0;
      }
      return frame;
    }
    if (padPartial && this.#partial.length > 0) {
      const frame = new Int16Array(this.frameSamples);
      frame.set(this.#partial);
      this.#partial = new Int16Array(0);
      return frame;
    }
    return undefined;
  }

  clear(): void {
    this.#frames.length = 0;
    this.#head = 0;
    this.#partial = new Int16Array(0);
  }
}
