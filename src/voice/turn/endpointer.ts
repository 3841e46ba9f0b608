/**
 * Sans-IO endpointing: fed one VAD decision per 20 ms frame, it decides when the caller starts
 * speaking (after `minSpeechMs` of speech) and when the turn ends (after `endOfTurnSilenceMs` of
 * non-speech), and keeps the utterance's audio (with a little pre-roll) for speech-to-text.
 */
export interface EndpointerOptions {
  minSpeechMs: number;
  endOfTurnSilenceMs: number;
  preRollMs: number;
  /** Utterances longer than this are cut and sent as a turn (keeps STT uploads bounded). */
  maxUtteranceMs: number;
  frameMs?: number;
}

export type EndpointEvent =
  | { type: 'speech_started'; startMs: number }
  | { type: 'speech_ended'; startMs: number; endMs: number; audio: Int16Array; silenceWaitedMs: number };

export class Endpointer {
  readonly #o: Required<EndpointerOptions>;
  readonly #preRoll: Int16Array[] = [];
  #utterance: Int16Array[] = [];
  #speechRun = 0;
  #silenceRun = 0;
  #inSpeech = false;
  #startMs = 0;
  #lastSpeechEndMs = 0;

  constructor(options: EndpointerOptions) {
    this.#o = { frameMs: 20, ...options };
  }

  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** `nowMs` is the time at the END of this frame. */
  push(frame: Int16Array, isSpeech: boolean, nowMs: number): EndpointEvent[] {
    const { frameMs, minSpeechMs, endOfTurnSilenceMs, preRollMs, maxUtteranceMs } = this.#o;
    const events: EndpointEvent[] = [];
    if (!this.#inSpeech) {
      this.#preRoll.push(frame);
      const keep = Math.ceil((preRollMs + minSpeechMs) / frameMs);
      while (this.#preRoll.length > keep) this.#preRoll.shift();
      this.#speechRun = isSpeech ? this.#speechRun + 1 : 0;
      if (this.#speechRun * frameMs >= minSpeechMs) {
        this.#inSpeech = true;
        this.#silenceRun = 0;
        this.#startMs = nowMs - this.#speechRun * frameMs;
        this.#lastSpeechEndMs = nowMs;
        this.#utterance = [...this.#preRoll];
        this.#preRoll.length = 0;
        events.push({ type: 'speech_started', startMs: this.#startMs });
      }
      return events;
    }
    this.#utterance.push(frame);
    if (isSpeech) {
      this.#silenceRun = 0;
      this.#lastSpeechEndMs = nowMs;
    } else this.#silenceRun += 1;
    const tooLong = nowMs - this.#startMs >= maxUtteranceMs;
    if (this.#silenceRun * frameMs >= endOfTurnSilenceMs || tooLong) {
      const trailing = Math.max(0, this.#silenceRun - Math.ceil(preRollMs / frameMs));
      const frames = this.#utterance.slice(0, this.#utterance.length - trailing);
      const audio = new Int16Array(frames.length * (frames[0]?.length ?? 0));
      frames.forEach((f, i) => audio.set(f, i * f.length));
      events.push({
        type: 'speech_ended',
        startMs: this.#startMs,
        endMs: this.#lastSpeechEndMs,
        audio,
        silenceWaitedMs: this.#silenceRun * frameMs,
      });
      this.reset();
    }
    return events;
  }

  reset(): void {
    this.#inSpeech = false;
    this.#speechRun = 0;
    this.#silenceRun = 0;
    this.#utterance = [];
    this.#preRoll.length = 0;
  }
}
