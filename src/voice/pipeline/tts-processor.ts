import { FrameChunker } from '../../audio/frame-chunker';
import type { TtsProvider } from '../tts/tts';
import { FrameProcessor } from './frame-processor';
import type { Frame } from './frames';

/**
 * Speaks each `sentence` frame: forwards the sentence, then its audio in 20 ms frames as the
 * engine streams it, then `sentence_end`. An interruption kills the synthesis in flight.
 * A TTS failure skips that sentence and is reported upstream.
 */
export class TtsProcessor extends FrameProcessor {
  #abort: AbortController | undefined;
  readonly #tts: TtsProvider;
  readonly #voice: () => string;

  constructor(tts: TtsProvider, voice: () => string) {
    super('tts');
    this.#tts = tts;
    this.#voice = voice;
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
      for await (const samples of this.#tts.synthesize(frame.text, { voice: this.#voice(), signal: abort.signal })) {
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
