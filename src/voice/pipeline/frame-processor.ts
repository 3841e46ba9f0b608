import { kindOf, type Frame, type FrameDirection } from './frames';

/**
 * One stage of a pipeline. Data and control frames are queued and processed one at a time, in
 * order (a stage may await, e.g. TTS); system frames skip the queue. An `interrupt` drops the
 * queued data/control frames, calls `onInterrupt()` (cancel work in flight) and travels on.
 */
export abstract class FrameProcessor {
  next: FrameProcessor | undefined;
  prev: FrameProcessor | undefined;
  /** Set by the pipeline: where frames leaving the ends go. */
  sink: ((frame: Frame, direction: FrameDirection) => void) | undefined;
  readonly #queue: Frame[] = [];
  #draining: Promise<void> | undefined;

  constructor(readonly name: string) {}

  /** Hands a frame to this stage. */
  queueFrame(frame: Frame, direction: FrameDirection = 'downstream'): void {
    if (kindOf(frame) === 'system') {
      if (frame.type === 'interrupt') {
        this.#queue.length = 0;
        this.onInterrupt();
      }
      this.#safe(() => this.processSystem(frame, direction));
      return;
    }
    if (direction === 'upstream') {
      this.push(frame, 'upstream');
      return;
    }
    this.#queue.push(frame);
    this.#draining ??= this.#drain();
  }

  /** True while frames are queued or being processed. */
  get busy(): boolean {
    return this.#draining !== undefined;
  }

  /** Resolves when the queue is empty. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  protected abstract process(frame: Frame): Promise<void> | void;

  /** System frames: forwarded in their direction by default. */
  protected processSystem(frame: Frame, direction: FrameDirection): void {
    this.push(frame, direction);
  }

  protected onInterrupt(): void {}

  protected push(frame: Frame, direction: FrameDirection = 'downstream'): void {
    const to = direction === 'downstream' ? this.next : this.prev;
    if (to) to.queueFrame(frame, direction);
    else this.sink?.(frame, direction);
  }

  /** Reports a failure upstream without stopping the pipeline. */
  protected pushError(error: unknown, fatal = false): void {
    this.push(
      { type: 'error', source: this.name, error: error instanceof Error ? error : new Error(String(error)), fatal },
      'upstream',
    );
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const frame = this.#queue.shift()!;
        try {
          await this.process(frame);
        } catch (err) {
          this.pushError(err);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.pushError(err);
    }
  }
}
