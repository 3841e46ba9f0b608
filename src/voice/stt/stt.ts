import type { Timers } from '../../shared/timers';
import type { ProviderError } from '../provider-error';

/** Speech-to-text, one utterance at a time: the whole utterance is uploaded once it is over. */
export interface SttProvider {
  readonly name: string;
  /** Transcribes one utterance of 8 kHz mono audio. Rejects with a ProviderError. */
  transcribe(
    audio: Int16Array,
    options: { sampleRateHz: number; language?: string | undefined; signal?: AbortSignal | undefined },
  ): Promise<string>;
}

/**
 * Streaming speech-to-text over a WebSocket (Deepgram live, OpenAI Realtime transcription): the
 * caller's audio goes out frame by frame while they talk, so the transcript is ready when they stop.
 */
export interface StreamingSttProvider {
  readonly name: string;
  /** Opens one stream for a conversation (connects at once; reconnects by itself). */
  open(options: SttStreamOptions): SttStream;
}

export interface SttStreamOptions {
  /** 8000 for telephony frames. */
  sampleRateHz: number;
  /** BCP-47 hint, e.g. `en-US`. */
  language?: string | undefined;
  /** Keep-alive and reconnect timers (default: real timers). */
  timers?: Timers | undefined;
}

/** A transcript result of the stream; `text` is the segment's text (finals of one segment are not repeated). */
export interface SttResult {
  text: string;
  /** The text of this segment will not change any more. */
  isFinal: boolean;
  /** The provider's own endpointing saw the speaker pause (Deepgram `speech_final`). */
  speechFinal: boolean;
}

export interface SttStreamEvents {
  result: (result: SttResult) => void;
  /** The provider heard speech start (Deepgram `SpeechStarted`). */
  speechStarted: () => void;
  /** The provider saw the end of an utterance (Deepgram `UtteranceEnd`). */
  utteranceEnd: () => void;
  /** The connection failed or dropped; the stream reconnects and resends audio not yet final. */
  error: (error: ProviderError) => void;
}

export interface SttStream {
  on<K extends keyof SttStreamEvents>(event: K, listener: SttStreamEvents[K]): unknown;
  /** One frame of caller audio (8 kHz mono PCM). */
  send(frame: Int16Array): void;
  /**
   * The caller paused: asks for final results of everything sent so far (Deepgram `Finalize`,
   * OpenAI `input_audio_buffer.commit`). Resolves once they have arrived (their `result` events
   * come first); rejects with a ProviderError when they do not come within the timeout.
   */
  finalize(): Promise<void>;
  /** Ends the stream (Deepgram `CloseStream`); idempotent. */
  close(): void;
}
