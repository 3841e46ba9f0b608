/**
 * Sans-IO endpointing: fed one VAD decision per 20 ms frame, it decides when the caller starts
 * speaking (after `minSpeechMs` of speech), counts the silence since their last speech, and keeps
 * the utterance's audio (with a little pre-roll) for speech-to-text. When the turn is over is
 * decided by TurnTaking (the adaptive end of turn), which then takes the utterance with `end()`.
 */
export interface EndpointerOptions {
  minSpeechMs: number;
  preRollMs: number;
  /** Utterances longer than this are cut and sent as a turn (`tooLong`; keeps STT uploads bounded). */
  maxUtteranceMs: number;
  frameMs?: number;
}

/** The caller started speaking: `frames` is the utterance so far (pre-roll and the speech that started it). */
export interface SpeechStarted {
  type: 'speech_started';
  startMs: number;
  frames: Int16Array[];
}

export interface Utterance {
  startMs: number;
  /** Session ms of the last speech frame. */
  endMs: number;
  audio: Int16Array;
  /** The silence after the last speech when the turn ended. */
  silenceWaitedMs: number;
}

export class Endpointer {
  readonly #o: Required<EndpointerOptions>;
  readonly #preRoll: Int16Array[] = [];
  #utterance: Int16Array[] = [];
  #speechRun = 0;
  #silenceRun = 0;
  /** Speech frames of the open utterance (the run that started it included). */
  #voicedFrames = 0;
  #inSpeech = false;
  #startMs = 0;
  #lastSpeechEndMs = 0;
  #nowMs = 0;

  constructor(options: EndpointerOptions) {
    this.#o = { frameMs: 20, ...options };
  }

  /** An utterance is open (from speech start until `end()`). */
  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** Silence since the caller's last speech frame (0 while they speak). */
  get silenceMs(): number {
    return this.#silenceRun * this.#o.frameMs;
  }

  /**
   * Audio since the open utterance's first frame, its pre-roll included (the realtime API's
   * audio_start_ms counts its prefix padding too): ms of frames, not of the clock.
   */
  get sinceStartMs(): number {
    return this.#inSpeech ? this.#utterance.length * this.#o.frameMs : 0;
  }

  /** Voiced speech of the open utterance so far (its pauses left out). */
  get voicedMs(): number {
    return this.#voicedFrames * this.#o.frameMs;
  }

  /** The utterance reached `maxUtteranceMs`. */
  get tooLong(): boolean {
    return this.#inSpeech && this.#nowMs - this.#startMs >= this.#o.maxUtteranceMs;
  }

  /** `nowMs` is the time at the END of this frame. */
  push(frame: Int16Array, isSpeech: boolean, nowMs: number): SpeechStarted | undefined {
    const { frameMs, minSpeechMs, preRollMs } = this.#o;
    this.#nowMs = nowMs;
    if (!this.#inSpeech) {
      this.#preRoll.push(frame);
      const keep = Math.ceil((preRollMs + minSpeechMs) / frameMs);
      while (this.#preRoll.length > keep) this.#preRoll.shift();
      this.#speechRun = isSpeech ? this.#speechRun + 1 : 0;
      if (this.#speechRun * frameMs < minSpeechMs) return undefined;
      this.#inSpeech = true;
      this.#silenceRun = 0;
      this.#voicedFrames = this.#speechRun;
      this.#startMs = nowMs - this.#speechRun * frameMs;
      this.#lastSpeechEndMs = nowMs;
      this.#utterance = [...this.#preRoll];
      this.#preRoll.length = 0;
      return { type: 'speech_started', startMs: this.#startMs, frames: [...this.#utterance] };
    }
    this.#utterance.push(frame);
    if (isSpeech) {
      this.#silenceRun = 0;
      this.#voicedFrames += 1;
      this.#lastSpeechEndMs = nowMs;
    } else this.#silenceRun += 1;
    return undefined;
  }

  /** The utterance so far, without the silence after its last speech (beyond the pre-roll). */
  audio(): Int16Array {
    const trailing = Math.max(0, this.#silenceRun - Math.ceil(this.#o.preRollMs / this.#o.frameMs));
    const frames = this.#utterance.slice(0, this.#utterance.length - trailing);
    const audio = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      audio.set(f, at);
      at += f.length;
    }
    return audio;
  }

  /** The turn is over: returns the utterance and starts listening for the next one. */
  end(): Utterance {
    const u = {
      startMs: this.#startMs,
      endMs: this.#lastSpeechEndMs,
      audio: this.audio(),
      silenceWaitedMs: this.silenceMs,
    };
    this.reset();
    return u;
  }

  reset(): void {
    this.#inSpeech = false;
    this.#speechRun = 0;
    this.#silenceRun = 0;
    this.#voicedFrames = 0;
    this.#utterance = [];
    this.#preRoll.length = 0;
  }
}
