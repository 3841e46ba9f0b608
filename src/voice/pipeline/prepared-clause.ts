import type { TtsProvider } from '../tts/tts';
import { SentenceSplitter } from './sentence-splitter';

/**
 * The first clause of a reply prepared while the caller pauses, synthesized ahead of time into a
 * buffer nobody hears: it watches the prepared reply's text, and once its first clause is complete
 * (the SentenceAggregator's rule, sentence-splitter.ts) starts the TTS on it. When the reply is
 * adopted, the TtsProcessor `take`s the audio for that sentence (buffered chunks first, then the
 * rest live) instead of synthesizing it again; `discard` (the caller went on) aborts the request
 * and drops the audio. One taker.
 */
export class PreparedClause {
  readonly #tts: TtsProvider;
  readonly #voice: string;
  readonly #splitter = new SentenceSplitter();
  readonly #abort = new AbortController();
  #text: string | undefined;
  readonly #chunks: Int16Array[] = [];
  #done = false;
  #error: unknown;
  #taken = false;
  #wake: (() => void) | undefined;
  #ready!: () => void;
  /**
   * Settles once the clause's first audio is buffered, or there will be none (no speakable text,
   * synthesis failed or ended, discarded). Never rejects.
   */
  readonly firstAudio: Promise<void>;

  constructor(tts: TtsProvider, voice: string) {
    this.#tts = tts;
    this.#voice = voice;
    this.firstAudio = new Promise((resolve) => (this.#ready = resolve));
  }

  /** The clause being synthesized, once its text is complete. */
  get text(): string | undefined {
    return this.#text;
  }

  /** Text of the prepared reply as the model streams it. */
  pushText(delta: string): void {
    if (this.#text !== undefined || this.#abort.signal.aborted) return;
    const first = this.#splitter.push(delta)[0];
    if (first !== undefined) this.#start(first);
  }

  /** The prepared reply's text is complete: if no clause ended yet, all of it is the first sentence. */
  endText(): void {
    if (this.#text !== undefined || this.#abort.signal.aborted) return;
    const rest = this.#splitter.flush();
    if (rest === undefined) this.#ready();
    else this.#start(rest);
  }

  /**
   * The reply was adopted and its first sentence is `text`: the audio (buffered, then live), or
   * undefined when it is another sentence or its synthesis failed before any audio (then it is
   * synthesized as usual). `signal` (the TtsProcessor's interruption) aborts the synthesis.
   */
  take(text: string, signal: AbortSignal): AsyncIterable<Int16Array> | undefined {
    if (this.#taken || text !== this.#text || this.#abort.signal.aborted) return this.#drop();
    if (this.#error !== undefined && this.#chunks.length === 0) return this.#drop();
    this.#taken = true;
    if (signal.aborted) this.#abort.abort();
    else signal.addEventListener('abort', () => this.#abort.abort(), { once: true });
    return this.#replay();
  }

  /** Not adopted (the caller went on, other words, barge-in): the request is aborted, the audio dropped. */
  discard(): void {
    if (!this.#taken) this.#drop();
  }

  #drop(): undefined {
    this.#abort.abort();
    this.#chunks.length = 0;
    this.#done = true;
    this.#ready();
    this.#notify();
    return undefined;
  }

  #start(text: string): void {
    this.#text = text;
    void (async () => {
      try {
        for await (const samples of this.#tts.synthesize(text, { voice: this.#voice, signal: this.#abort.signal })) {
          if (this.#abort.signal.aborted) return;
          this.#chunks.push(samples);
          this.#ready();
          this.#notify();
        }
      } catch (err) {
        if (!this.#abort.signal.aborted) this.#error = err ?? new Error('TTS failed');
      } finally {
        this.#done = true;
        this.#ready();
        this.#notify();
      }
    })();
  }

  async *#replay(): AsyncGenerator<Int16Array> {
    for (let i = 0; ;) {
      if (this.#abort.signal.aborted) return;
      if (i < this.#chunks.length) {
        yield this.#chunks[i++]!;
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
