import { FRAME_MS } from '../../audio/frame';
import type { Timers } from '../../shared/timers';
import type { StreamingSttProvider, SttStream } from '../../voice/index';

/** What both screening transcripts (streamed and uploaded) take besides their provider. */
export interface ScreeningWordsOptions {
  language?: string | undefined;
  timers?: Timers | undefined;
  /** The callee's words so far, each time they change. */
  onText: (text: string) => void;
  /** A provider failure (detection goes on on the audio). */
  onError?: (err: Error) => void;
  /** Stops after this much call audio (the detector's analysis time; default 5000). */
  maxMs?: number;
}

export interface ScreeningTranscriptOptions extends ScreeningWordsOptions {
  /** The configured streaming speech-to-text (STT_STREAMING_PROVIDER); its stream reconnects by itself. */
  stt: StreamingSttProvider;
}

/**
 * The callee's words while the voicemail screen listens: a speech-to-text stream of its own,
 * opened at the answer (the agent's session listens only once it starts, after the decision), fed
 * every caller frame and closed once the screen has decided or after `maxMs` of audio, so it costs
 * a few seconds of streaming per call. Interim and final results become the text so far.
 */
export class ScreeningTranscript {
  readonly #o: ScreeningTranscriptOptions;
  readonly #stream: SttStream;
  readonly #finals: string[] = [];
  #interim = '';
  #ms = 0;
  #closed = false;
  #last = '';

  constructor(options: ScreeningTranscriptOptions) {
    this.#o = options;
    this.#stream = options.stt.open({ sampleRateHz: 8000, language: options.language, timers: options.timers });
    this.#stream.on('result', (r) => {
      if (this.#closed) return;
      if (r.isFinal) {
        if (r.text !== '') this.#finals.push(r.text);
        this.#interim = '';
      } else this.#interim = r.text;
      const text = [...this.#finals, this.#interim].join(' ').trim();
      if (text === '' || text === this.#last) return;
      this.#last = text;
      options.onText(text);
    });
    this.#stream.on('error', (err) => options.onError?.(err));
  }

  /** One 20 ms caller frame (call time). */
  push(frame: Int16Array): void {
    if (this.#closed) return;
    this.#stream.send(frame);
    this.#ms += FRAME_MS;
    if (this.#ms >= (this.#o.maxMs ?? 5000)) this.close();
  }

  /** Ends the stream (idempotent); later results are ignored. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.close();
  }
}
