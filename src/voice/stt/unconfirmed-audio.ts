/**
 * Audio a streaming STT has been sent but not yet confirmed final, kept to resend after a
 * reconnect (the caller's words are never lost to a dropped WebSocket). Positions are samples
 * since the start of the current connection, the way the providers count.
 */
export class UnconfirmedAudio {
  readonly #frames: Int16Array[] = [];
  /** Connection position of the first kept frame. */
  #startSample = 0;
  /** Samples sent on this connection. */
  #sentSamples = 0;

  /** Samples sent on the current connection so far. */
  get sentSamples(): number {
    return this.#sentSamples;
  }

  get frames(): readonly Int16Array[] {
    return this.#frames;
  }

  get empty(): boolean {
    return this.#frames.length === 0;
  }

  /** A frame went out (or is to go out on the next connection). */
  push(frame: Int16Array): void {
    this.#frames.push(frame);
    this.#sentSamples += frame.length;
  }

  /** Results are final up to connection position `sample`: forget what lies before it. */
  confirmUntil(sample: number): void {
    while (this.#frames.length > 0 && this.#startSample + this.#frames[0]!.length <= sample) {
      this.#startSample += this.#frames.shift()!.length;
    }
  }

  /** Everything sent so far is final. */
  confirmAll(): void {
    this.#startSample = this.#sentSamples;
    this.#frames.length = 0;
  }

  /** A new connection: positions restart at 0 and the kept frames are sent again first. */
  restart(): readonly Int16Array[] {
    this.#startSample = 0;
    this.#sentSamples = this.#frames.reduce((n, f) => n + f.length, 0);
    return this.#frames;
  }
}
