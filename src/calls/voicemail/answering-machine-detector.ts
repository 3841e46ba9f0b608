import { FRAME_MS } from '../../audio/frame';
import { BeepDetector } from './beep-detector';

export type AnsweredBy = 'human' | 'machine' | 'unknown';

/** Why the detector decided (for logs and the benchmark). */
export type AmdReason =
  | 'short_greeting_then_silence'
  | 'long_greeting'
  | 'many_words'
  | 'beep'
  | 'transcript'
  | 'initial_silence'
  | 'max_analysis_time';

export interface AmdDecision {
  answeredBy: AnsweredBy;
  reason: AmdReason;
  /** Answer → decision, ms of audio analysed. */
  decisionMs: number;
}

/** The rules' thresholds (Asterisk AMD() names; defaults tuned on `npm run bench -- voicemail`). */
export interface AmdOptions {
  /** Nothing heard this long after the answer → unknown (the agent goes on as usual). */
  initialSilenceMs?: number;
  /** Speech adding up to more than this → machine (people answer with a word or two). */
  maxGreetingMs?: number;
  /** Silence this long after some speech → human. */
  afterGreetingSilenceMs?: number;
  /** Words (voiced runs of at least minWordMs) beyond this → machine. */
  maxWords?: number;
  minWordMs?: number;
  /** A pause shorter than this does not end a word. */
  betweenWordsSilenceMs?: number;
  /** Undecided after this → unknown. */
  maxAnalysisMs?: number;
  /** Frames louder than max(this, noise floor + 12 dB) are voice (dBFS). */
  voiceThresholdDbfs?: number;
}

const DEFAULTS: Required<AmdOptions> = {
  initialSilenceMs: 2500,
  maxGreetingMs: 1600,
  afterGreetingSilenceMs: 700,
  maxWords: 4,
  minWordMs: 100,
  betweenWordsSilenceMs: 80,
  maxAnalysisMs: 5000,
  voiceThresholdDbfs: -42,
};

/** Voicemail greetings and carrier messages, as a speech-to-text provider writes them. */
const MACHINE_PHRASES =
  /\b(leave (me |us )?(a |your )?(message|voicemail)|after the (tone|beep)|not available|unavailable|can'?t (take|come to) (your|the) (call|phone)|voice ?mail|mailbox|record your message|at the tone|is not in service|has been disconnected|no one is available|nobody is available)\b/i;

/** Whether a transcript sounds like an answering machine or carrier message. */
export const soundsLikeMachine = (text: string): boolean => MACHINE_PHRASES.test(text);

/**
 * Sans-IO answering-machine detection over the callee's first seconds of 8 kHz audio, 20 ms frames
 * (the rules of Asterisk's AMD(): initial silence, greeting length, word count, silence after the
 * greeting), plus a Goertzel beep detector and, when speech-to-text runs, the transcript. `push`
 * returns the decision on the frame that makes it (once); afterwards it keeps reporting beeps
 * (`beepAtMs`), which is where a voicemail message starts.
 */
export class AnsweringMachineDetector {
  readonly #o: Required<AmdOptions>;
  readonly #beeps = new BeepDetector();
  #ms = 0;
  #decision: AmdDecision | undefined;
  #noiseDb = -70;
  #heardVoice = false;
  #voicedMs = 0;
  #silenceMs = 0;
  #inWord = false;
  #wordMs = 0;
  #words = 0;
  #lastBeepMs: number | undefined;

  constructor(options: AmdOptions = {}) {
    this.#o = { ...DEFAULTS, ...options };
  }

  get decision(): AmdDecision | undefined {
    return this.#decision;
  }

  /** When the latest beep ended its minimum length (ms since the answer), if one was heard. */
  get beepAtMs(): number | undefined {
    return this.#lastBeepMs;
  }

  /** Silence since the last voiced frame, ms (after a machine decision: is the greeting over?). */
  get silenceMs(): number {
    return this.#silenceMs;
  }

  get elapsedMs(): number {
    return this.#ms;
  }

  push(frame: Int16Array): AmdDecision | undefined {
    this.#ms += FRAME_MS;
    const beep = this.#beeps.push(frame);
    if (beep) this.#lastBeepMs = this.#ms;
    const db = levelDbfs(frame);
    const voiced = db > Math.max(this.#o.voiceThresholdDbfs, this.#noiseDb + 12) && this.#beeps.toneHz === 0;
    if (!voiced)
      this.#noiseDb = this.#noiseDb + (Math.min(db, -30) - this.#noiseDb) * (db < this.#noiseDb ? 0.3 : 0.02);
    this.#track(voiced);
    if (this.#decision) return undefined;
    const d = this.#rules(beep);
    if (d) this.#decision = { ...d, decisionMs: this.#ms };
    return this.#decision;
  }

  /** A transcript of the callee's speech (when STT runs): machine phrases decide "machine". */
  pushTranscript(text: string): AmdDecision | undefined {
    if (this.#decision || !soundsLikeMachine(text)) return undefined;
    this.#decision = { answeredBy: 'machine', reason: 'transcript', decisionMs: this.#ms };
    return this.#decision;
  }

  #track(voiced: boolean): void {
    if (voiced) {
      this.#heardVoice = true;
      this.#voicedMs += FRAME_MS;
      this.#silenceMs = 0;
      this.#wordMs += FRAME_MS;
      if (!this.#inWord && this.#wordMs >= this.#o.minWordMs) {
        this.#inWord = true;
        this.#words++;
      }
      return;
    }
    this.#silenceMs += FRAME_MS;
    if (this.#silenceMs >= this.#o.betweenWordsSilenceMs) {
      this.#inWord = false;
      this.#wordMs = 0;
    }
  }

  #rules(beep: boolean): Omit<AmdDecision, 'decisionMs'> | undefined {
    const o = this.#o;
    if (beep) return { answeredBy: 'machine', reason: 'beep' };
    if (this.#voicedMs > o.maxGreetingMs) return { answeredBy: 'machine', reason: 'long_greeting' };
    if (this.#words > o.maxWords) return { answeredBy: 'machine', reason: 'many_words' };
    if (this.#heardVoice && this.#words > 0 && this.#silenceMs >= o.afterGreetingSilenceMs)
      return { answeredBy: 'human', reason: 'short_greeting_then_silence' };
    if (!this.#heardVoice && this.#ms >= o.initialSilenceMs)
      return { answeredBy: 'unknown', reason: 'initial_silence' };
    if (this.#ms >= o.maxAnalysisMs) return { answeredBy: 'unknown', reason: 'max_analysis_time' };
    return undefined;
  }
}

function levelDbfs(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += ((frame[i] ?? 0) / 32768) ** 2;
  return 10 * Math.log10(sum / Math.max(1, frame.length) + 1e-12);
}
