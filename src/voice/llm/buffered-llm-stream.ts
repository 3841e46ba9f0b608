import type { LlmEvent } from './llm';

/**
 * An LLM stream started ahead of time (a reply prepared while the caller pauses): its events are
 * kept as they arrive, and whoever takes it later reads them all from the start, then the rest live.
 * One reader; `onEvent` sees every event as it arrives (a prepared reply's first clause is
 * synthesized from it ahead of time).
 */
export class BufferedLlmStream implements AsyncIterable<LlmEvent> {
  readonly #events: LlmEvent[] = [];
  #done = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  /** Settles when the source is exhausted (never rejects). */
  readonly finished: Promise<void>;

  constructor(source: AsyncIterable<LlmEvent>, onEvent?: (ev: LlmEvent) => void) {
    this.finished = (async () => {
      try {
        for await (const ev of source) {
          this.#events.push(ev);
          onEvent?.(ev);
          this.#notify();
        }
      } catch (err) {
        this.#error = err ?? new Error('LLM stream failed');
      } finally {
        this.#done = true;
        this.#notify();
      }
    })();
  }

  /** The source failed (once `finished`). */
  get failed(): boolean {
    return this.#error !== undefined;
  }

  /** Text received so far (diagnostics). */
  get text(): string {
    return this.#events.map((e) => (e.type === 'text' ? e.text : '')).join('');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LlmEvent> {
    for (let i = 0; ;) {
      if (i < this.#events.length) {
        yield this.#events[i++]!;
        continue;
      }
      if (this.#done) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
