import { FrameProcessor } from './frame-processor';
import type { Frame } from './frames';
import { SentenceSplitter } from './sentence-splitter';

/**
 * Collects LLM text into sentences so speech can start at the first complete sentence, not at
 * the end of the answer (the cutting rule: sentence-splitter.ts). `flush` speaks what is left.
 */
export class SentenceAggregator extends FrameProcessor {
  readonly #splitter = new SentenceSplitter();
  #responseId = -1;

  constructor() {
    super('sentences');
  }

  protected process(frame: Frame): void {
    if (frame.type === 'text') {
      if (frame.responseId !== this.#responseId) this.#reset(frame.responseId);
      const first = this.#splitter.index;
      this.#splitter.push(frame.text).forEach((text, i) => this.#emit(first + i, text));
      return;
    }
    if (frame.type === 'flush') {
      if (frame.responseId === this.#responseId) {
        const index = this.#splitter.index;
        const rest = this.#splitter.flush();
        if (rest !== undefined) this.#emit(index, rest);
      }
      this.#reset(frame.responseId);
    }
    this.push(frame);
  }

  protected override onInterrupt(): void {
    this.#splitter.clear();
  }

  #emit(index: number, text: string): void {
    this.push({ type: 'sentence', responseId: this.#responseId, index, text });
  }

  #reset(responseId: number): void {
    this.#splitter.reset();
    this.#responseId = responseId;
  }
}
