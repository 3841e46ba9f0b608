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
 * The one rule that cuts an answer's streamed text into what is spoken sentence by sentence
 * (sans-IO): the SentenceAggregator stage speaks with it, and a prepared reply's first clause is
 * synthesized early with it (prepared-clause.ts), so both cut the same text at the same place.
 */
export class SentenceSplitter {
  #buffer = '';
  #index = 0;

  /** Sentences emitted so far (the next one's index). */
  get index(): number {
    return this.#index;
  }

  /** More text: the sentences it completes, normalized (whitespace folded, no empty ones). */
  push(text: string): string[] {
    this.#buffer += text;
    const out: string[] = [];
    for (let s = this.#take(); s !== undefined; s = this.#take()) {
      const t = this.#emit(s);
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** End of the text: what is left, if anything speakable. Starts over. */
  flush(): string | undefined {
    const t = this.#emit(this.#buffer);
    this.reset();
    return t;
  }

  reset(): void {
    this.#buffer = '';
    this.#index = 0;
  }

  /** Drops buffered text (an interruption), keeping the count. */
  clear(): void {
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

  #emit(text: string): string | undefined {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t === '' || !/[\p{L}\p{N}]/u.test(t)) return undefined;
    this.#index += 1;
    return t;
  }
}
