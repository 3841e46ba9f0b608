import { FrameChunker } from '../../audio/frame-chunker';
import type { TtsProvider } from '../tts/tts';
import { FrameProcessor } from './frame-processor';
import type { Frame } from './frames';

/** Audio synthesized ahead of time for a sentence (a prepared reply's first clause), if any. */
export type PreSynthesized = (
  sentence: { responseId: number; index: number; text: string },
  signal: AbortSignal,
) => AsyncIterable<Int16Array> | undefined;

/**
 * Speaks each `sentence` frame: forwards the sentence, then its audio in 20 ms frames as the
 * engine streams it, then `sentence_end`. An interruption kills the synthesis in flight.
 * A TTS failure skips that sentence and is reported upstream. A sentence whose audio was
 * synthesized ahead of time (`preSynthesized`) is played from it, not synthesized again.
 */
export class TtsProcessor extends FrameProcessor {
  #abort: AbortController | undefined;
  readonly #tts: TtsProvider;
  readonly #voice: () => string;
  readonly #preSynthesized: PreSynthesized | undefined;

  constructor(tts: TtsProvider, voice: () => string, preSynthesized?: PreSynthesized) {
    super('tts');
    this.#tts = tts;
    this.#voice = voice;
    this.#preSynthesized = preSynthesized;
  }

  protected async process(frame: Frame): Promise<void> {
    if (frame.type !== 'sentence') {
      this.push(frame);
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.push(frame);
    const chunker = new FrameChunker();
    let frames = 0;
    const emit = (pcm: Int16Array): void => {
      frames += 1;
      this.push({ type: 'audio', responseId: frame.responseId, index: frame.index, pcm });
    };
    try {
      const audio =
        this.#preSynthesized?.(frame, abort.signal) ??
        this.#tts.synthesize(frame.text, { voice: this.#voice(), signal: abort.signal });
      for await (const samples of audio) {
        if (abort.signal.aborted) return;
        for (const f of chunker.push(samples)) emit(f);
      }
      if (abort.signal.aborted) return;
      for (const f of chunker.flush()) emit(f);
    } catch (err) {
      if (abort.signal.aborted) return;
      this.pushError(err);
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
    if (!abort.signal.aborted)
      this.push({ type: 'sentence_end', responseId: frame.responseId, index: frame.index, frames });
  }

  protected override onInterrupt(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }
}
