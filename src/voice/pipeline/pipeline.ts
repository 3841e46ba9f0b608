import type { FrameProcessor } from './frame-processor';
import type { Frame } from './frames';

/**
 * A chain of processors. Frames pushed in go to the first stage; frames leaving the last stage
 * downstream go to `onOutput`; frames leaving the first stage upstream (errors) go to `onUpstream`,
 * i.e. to the owner.
 */
export class Pipeline {
  readonly #stages: FrameProcessor[];

  constructor(stages: FrameProcessor[], onOutput: (frame: Frame) => void, onUpstream: (frame: Frame) => void) {
    if (stages.length === 0) throw new Error('a pipeline needs at least one stage');
    this.#stages = stages;
    stages.forEach((s, i) => {
      s.prev = stages[i - 1];
      s.next = stages[i + 1];
      s.sink = (frame, direction) => (direction === 'downstream' ? onOutput(frame) : onUpstream(frame));
    });
  }

  push(frame: Frame): void {
    this.#stages[0]!.queueFrame(frame, 'downstream');
  }

  /** Barge-in: a system frame that empties every queue and cancels work in flight. */
  interrupt(): void {
    this.push({ type: 'interrupt' });
  }

  get busy(): boolean {
    return this.#stages.some((s) => s.busy);
  }

  async idle(): Promise<void> {
    while (this.busy) for (const s of this.#stages) await s.idle();
  }
}
