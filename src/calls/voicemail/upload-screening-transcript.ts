import { FRAME_MS, SAMPLES_PER_MS, TELEPHONY_RATE_HZ } from '../../audio/frame';
import type { SttProvider } from '../../voice/index';
import { VOICE_THRESHOLD_DBFS, levelDbfs } from './answering-machine-detector';
import type { ScreeningWordsOptions } from './screening-transcript';

export interface UploadScreeningTranscriptOptions extends ScreeningWordsOptions {
  /**
   * The configured upload speech-to-text (STT_BASE_URL), used when no streaming one is. `timers`
   * is unused (uploads go by call audio); `onText` gets the latest upload's text; after an
   * `onError` the next upload due is still made; no upload is due after `maxMs` of call audio.
   */
  stt: SttProvider;
  /** An upload is due every this much call audio, and at maxMs (default 1000). */
  uploadEveryMs?: number;
}

/** Voiced frames (above the detector's voice threshold) the buffer needs before anything is uploaded. */
const MIN_VOICED_MS = 100;

/**
 * The callee's words while the voicemail screen listens, from the per-utterance upload
 * speech-to-text (OpenAI-compatible /audio/transcriptions) when no streaming one is configured.
 * The callee's 8 kHz frames from the answer are buffered (at most `maxMs`); every `uploadEveryMs`
 * of call audio (and once more at `maxMs`), as soon as the buffer holds voice (≥ 100 ms of frames
 * above −42 dBFS: silence and a quiet line are never uploaded), the whole buffer so far is
 * uploaded. One request at most is in flight: an upload due meanwhile is made when it returns,
 * with the longer buffer. Each returned text that is non-empty and new goes to `onText`.
 *
 * Cost: at most ceil(maxMs / uploadEveryMs) uploads per call (defaults: 5, of 1, 2, 3, 4 and
 * 5 s of audio — at most 15 s billed by a per-second provider, about $0.0015 at $0.006/min); the
 * screen usually decides, and closes this, after the first one or two. Every second, not less
 * often: a real upload takes a few hundred ms to answer, and a greeting's words have to be back
 * before the audio decides on its own (a short greeting and a pause: ~0.5 s after the words).
 */
export class UploadScreeningTranscript {
  readonly #o: UploadScreeningTranscriptOptions;
  readonly #maxMs: number;
  readonly #everyMs: number;
  readonly #audio: Int16Array;
  #samples = 0;
  #ms = 0;
  #voicedMs = 0;
  #nextDueMs: number;
  /** An upload is due (the buffer holds voice) and waits for the one in flight, if any. */
  #due = false;
  /** The buffer (in samples) was uploaded up to here: a due upload with nothing new is skipped. */
  #uploadedSamples = 0;
  #inFlight: AbortController | undefined;
  #closed = false;
  #last = '';

  constructor(options: UploadScreeningTranscriptOptions) {
    this.#o = options;
    this.#maxMs = options.maxMs ?? 5000;
    this.#everyMs = options.uploadEveryMs ?? 1000;
    this.#nextDueMs = Math.min(this.#everyMs, this.#maxMs);
    this.#audio = new Int16Array(Math.ceil(this.#maxMs / FRAME_MS) * FRAME_MS * SAMPLES_PER_MS);
  }

  /** One 20 ms caller frame (call time). */
  push(frame: Int16Array): void {
    if (this.#closed || this.#ms >= this.#maxMs) return;
    const n = Math.min(frame.length, this.#audio.length - this.#samples);
    this.#audio.set(frame.subarray(0, n), this.#samples);
    this.#samples += n;
    this.#ms += FRAME_MS;
    if (levelDbfs(frame) > VOICE_THRESHOLD_DBFS) this.#voicedMs += FRAME_MS;
    if (this.#ms < this.#nextDueMs) return;
    this.#nextDueMs = Math.min(this.#nextDueMs + this.#everyMs, this.#maxMs);
    if (this.#voicedMs < MIN_VOICED_MS) return;
    this.#due = true;
    this.#upload();
  }

  /** Stops (idempotent): the request in flight is aborted, later results and failures are ignored. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
  }

  #upload(): void {
    if (this.#closed || this.#inFlight || !this.#due || this.#samples === this.#uploadedSamples) return;
    this.#due = false;
    this.#uploadedSamples = this.#samples;
    const ctrl = new AbortController();
    this.#inFlight = ctrl;
    void this.#transcribe(this.#audio.slice(0, this.#samples), ctrl).finally(() => {
      if (this.#inFlight !== ctrl) return;
      this.#inFlight = undefined;
      this.#upload();
    });
  }

  /** One upload; never rejects (a failure, or a throwing onText, goes to onError). */
  async #transcribe(audio: Int16Array, ctrl: AbortController): Promise<void> {
    try {
      const text = await this.#o.stt.transcribe(audio, {
        sampleRateHz: TELEPHONY_RATE_HZ,
        language: this.#o.language,
        signal: ctrl.signal,
      });
      const t = text.trim();
      if (ctrl.signal.aborted || t === '' || t === this.#last) return;
      this.#last = t;
      this.#o.onText(t);
    } catch (err) {
      if (!ctrl.signal.aborted) this.#o.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
