import { FrameProcessor } from './frame-processor';
import type { Frame } from './frames';

/** Sentence end: . ! ? … (optionally followed by quotes/brackets) and then whitespace. */
const SENTENCE_END = /[.!?…]+["')\]]*\s/;
/**
 * The first clause of an answer is spoken on its own ("Sure," before the rest of the sentence), so
 * the caller hears the agent as soon as a few words exist: a comma, semicolon or colon after at
 * least this many characters ends it.
 */
const FIRST_CLAUSE_END = /^.{4,}?[,;:]\s/s;
/** Very long clauses without punctuation are cut at a comma or space after this many characters. */
const MAX_CHARS = 220;

/**
 * Collects LLM text into sentences so speech can start at the first complete sentence, not at
 * the end of the answer. `flush` speaks what is left.
 */
export class SentenceAggregator extends FrameProcessor {
  #buffer = '';
  #responseId = -1;
  #index = 0;

  constructor() {
    super('sentences');
  }

  protected process(frame: Frame): void {
    if (frame.type === 'text') {
      if (frame.responseId !== this.#responseId) this.#reset(frame.responseId);
      this.#buffer += frame.text;
      for (let s = this.#take(); s !== undefined; s = this.#take()) this.#emit(s);
      return;
    }
    if (frame.type === 'flush') {
      if (frame.responseId === this.#responseId) this.#emit(this.#buffer);
      this.#reset(frame.responseId);
    }
    this.push(frame);
  }

  protected override onInterrupt(): void {
    this.#buffer = '';
  }

  #take(): string | undefined {
    const m = SENTENCE_END.exec(this.#buffer);
    let cut = m ? m.index + m[0].length : -1;
    const clause = this.#index === 0 ? FIRST_CLAUSE_END.exec(this.#buffer) : null;
    if (clause && (cut < 0 || clause[0].length < cut)) cut = clause[0].length;
    if (cut < 0 && this.#buffer.length > MAX_CHARS) {
      const comma = this.#buffer.lastIndexOf(', ', MAX_CHARS);
      const space = this.#buffer.lastIndexOf(' ', MAX_CHARS);
      cut = comma > 40 ? comma + 2 : space > 0 ? space + 1 : MAX_CHARS;
    }
    if (cut < 0) return undefined;
    const sentence = this.#buffer.slice(0, cut);
    this.#buffer = this.#buffer.slice(cut);
    return sentence;
  }

  #emit(text: string): void {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t === '' || !/[\p{L}\p{N}]/u.test(t)) return;
    this.push({ type: 'sentence', responseId: this.#responseId, index: this.#index, text: t });
    this.#index += 1;
  }

  #reset(responseId: number): void {
    this.#buffer = '';
    this.#responseId = responseId;
    this.#index = 0;
  }
}
