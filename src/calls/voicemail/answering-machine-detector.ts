import { FRAME_MS } from '../../audio/frame';
import { BeepDetector } from './beep-detector';
import { soundsLikeHumanGreeting, soundsLikeMachine } from './greeting-words';

export { soundsLikeMachine, soundsLikeHumanGreeting } from './greeting-words';

export type AnsweredBy = 'human' | 'machine' | 'unknown';

/** Why the detector decided (for logs and the benchmark). */
export type AmdReason =
  | 'short_greeting_then_silence'
  | 'long_greeting'
  | 'many_words'
  | 'beep'
  | 'transcript'
  | 'transcript_greeting'
  | 'initial_silence'
  | 'max_analysis_time';

export interface AmdDecision {
  answeredBy: AnsweredBy;
  reason: AmdReason;
  /**
   * Answer → decision, ms of audio analysed. A person is acted on at the provisional guess (the
   * agent speaks from there), so a confirmed guess keeps that time; `confirmedMs` is when it held.
   */
  decisionMs: number;
  /** A person decided from a provisional guess: when the guess was confirmed (ms from the answer). */
  confirmedMs?: number;
}

/**
 * The rules' thresholds (Asterisk AMD() and Twilio AMD names where they have one; defaults
 * tuned on `npm run bench -- voicemail`).
 */
export interface AmdOptions {
  /** Nothing heard this long after the answer → unknown (the agent goes on as usual). */
  initialSilenceMs?: number;
  /** Speech adding up to more than this → machine (people answer with a word or a short sentence). */
  maxGreetingMs?: number;
  /** A greeting of at most this much speech ("Hello?", "Yes?") is short… */
  shortGreetingMs?: number;
  /** …and followed by this much silence it is a person waiting for an answer. */
  shortGreetingSilenceMs?: number;
  /** The silence needed after a greeting of maxGreetingMs (between the two it grows with the speech heard). */
  afterGreetingSilenceMs?: number;
  /**
   * After a short greeting a person is guessed at this share of the rule's silence (0.4: 200 ms of
   * the 500 ms wait) so the agent speaks at once; voice before the full silence withdraws the guess.
   */
  provisionalShare?: number;
  /** With a transcript that is how people pick up ("hello, who's calling?"), this much silence → human, whatever the greeting's length. */
  transcriptGreetingSilenceMs?: number;
  /** Words (voiced runs of at least minWordMs) beyond this → machine. */
  maxWords?: number;
  minWordMs?: number;
  /** A pause shorter than this does not end a word. */
  betweenWordsSilenceMs?: number;
  /** Undecided after this → unknown. */
  maxAnalysisMs?: number;
  /** Frames louder than max(this, noise floor + voiceAboveNoiseDb) are voice (dBFS). */
  voiceThresholdDbfs?: number;
  voiceAboveNoiseDb?: number;
}

/** Frames louder than this are voice at the least (dBFS; the default of `voiceThresholdDbfs`). */
export const VOICE_THRESHOLD_DBFS = -42;

const DEFAULTS: Required<AmdOptions> = {
  initialSilenceMs: 2500,
  maxGreetingMs: 2000,
  shortGreetingMs: 700,
  shortGreetingSilenceMs: 500,
  afterGreetingSilenceMs: 1000,
  provisionalShare: 0.4,
  transcriptGreetingSilenceMs: 500,
  maxWords: 6,
  minWordMs: 100,
  betweenWordsSilenceMs: 80,
  maxAnalysisMs: 5000,
  voiceThresholdDbfs: VOICE_THRESHOLD_DBFS,
  voiceAboveNoiseDb: 12,
};

/** The noise floor is the quietest frame of the last second (minimum statistics). */
const NOISE_WINDOW_FRAMES = 50;
/** Voiced runs shorter than this inside a silence are clicks or noise bursts, not speech. */
const MIN_VOICE_RUN_MS = 40;

/**
 * Sans-IO answering-machine detection over the callee's first seconds of 8 kHz audio, 20 ms frames
 * (the rules of Asterisk's AMD() and Twilio's AMD: initial silence, greeting length, word count,
 * silence after the greeting), plus a Goertzel beep detector and, when speech-to-text runs, the
 * transcript. It decides as soon as a rule is certain: a short greeting ("Hello?") followed by
 * half a second of silence is a person; more than maxGreetingMs of speech is a machine.
 * `push` returns the decision on the frame that makes it (once); afterwards it keeps reporting
 * beeps (`beepAtMs`), which is where a voicemail message starts.
 */
export class AnsweringMachineDetector {
  readonly #o: Required<AmdOptions>;
  readonly #beeps = new BeepDetector();
  readonly #levels: number[] = [];
  #ms = 0;
  #decision: AmdDecision | undefined;
  #heardVoice = false;
  #voicedMs = 0;
  #silenceMs = 0;
  #runMs = 0;
  #inWord = false;
  #words = 0;
  #lastBeepMs: number | undefined;
  #humanWords = false;
  #provisional: AmdDecision | undefined;
  #withdrawn = 0;

  constructor(options: AmdOptions = {}) {
    this.#o = { ...DEFAULTS, ...options };
  }

  get decision(): AmdDecision | undefined {
    return this.#decision;
  }

  /**
   * A person, guessed before the rule's full silence (the agent may speak): set on the frame that
   * guesses, cleared when voice resumes (withdrawn) or a decision is made (confirmed or overruled).
   */
  get provisional(): AmdDecision | undefined {
    return this.#decision ? undefined : this.#provisional;
  }

  /** How many provisional guesses voice withdrew (a machine pausing after a word, or a person going on). */
  get withdrawnGuesses(): number {
    return this.#withdrawn;
  }

  /** When the latest beep ended its minimum length (ms since the answer), if one was heard. */
  get beepAtMs(): number | undefined {
    return this.#lastBeepMs;
  }

  /** Silence since the last voiced frame, ms (after a machine decision: is the greeting over?). */
  get silenceMs(): number {
    return this.#silenceMs;
  }

  /** The last frame was part of a steady tone (a beep still playing). */
  get inTone(): boolean {
    return this.#beeps.toneHz !== 0;
  }

  get elapsedMs(): number {
    return this.#ms;
  }

  push(frame: Int16Array): AmdDecision | undefined {
    this.#ms += FRAME_MS;
    const beep = this.#beeps.push(frame);
    if (beep) this.#lastBeepMs = this.#ms;
    const db = levelDbfs(frame);
    this.#levels.push(db);
    if (this.#levels.length > NOISE_WINDOW_FRAMES) this.#levels.shift();
    const noiseDb = Math.min(...this.#levels);
    // A tone (a beep in progress) is neither speech nor the silence of someone waiting.
    if (this.#beeps.toneHz === 0)
      this.#track(db > Math.max(this.#o.voiceThresholdDbfs, noiseDb + this.#o.voiceAboveNoiseDb));
    if (this.#decision) return undefined;
    if (this.#provisional && this.#silenceMs === 0) {
      this.#provisional = undefined;
      this.#withdrawn++;
    }
    const d = this.#rules(beep);
    if (d) this.#decide(d);
    else this.#guess();
    return this.#decision;
  }

  /**
   * The transcript of the callee's speech so far (streaming speech-to-text, interim or final):
   * voicemail or carrier phrases decide "machine" at once; the way people pick up ("hello, who's
   * calling?") lets a longer greeting count as short (its silence decides "human" as soon as a
   * "hello?" would). Returns the decision when this text made it.
   */
  pushTranscript(text: string): AmdDecision | undefined {
    if (this.#decision) return undefined;
    if (soundsLikeMachine(text)) {
      this.#decide({ answeredBy: 'machine', reason: 'transcript' });
      return this.#decision;
    }
    this.#humanWords = soundsLikeHumanGreeting(text);
    return undefined;
  }

  #decide(d: Omit<AmdDecision, 'decisionMs'>): void {
    const guess = this.#provisional;
    this.#decision =
      guess && d.answeredBy === 'human'
        ? { ...d, decisionMs: guess.decisionMs, confirmedMs: this.#ms }
        : { ...d, decisionMs: this.#ms };
    this.#provisional = undefined;
  }

  /** provisionalShare into the silence that would decide a person after a short greeting: the guess. */
  #guess(): void {
    const o = this.#o;
    if (this.#provisional || !this.#heardVoice || this.#words === 0) return;
    // Only a short greeting (or one whose words are how people pick up): machines pause too.
    if (this.#voicedMs > o.shortGreetingMs && !this.#humanWords) return;
    const neededMs = this.#humanWords
      ? Math.min(this.#silenceNeededMs(), o.transcriptGreetingSilenceMs)
      : this.#silenceNeededMs();
    if (this.#silenceMs < o.provisionalShare * neededMs) return;
    const reason = this.#humanWords ? 'transcript_greeting' : 'short_greeting_then_silence';
    this.#provisional = { answeredBy: 'human', reason, decisionMs: this.#ms };
  }

  #track(voiced: boolean): void {
    const inPause = this.#silenceMs >= this.#o.betweenWordsSilenceMs;
    if (voiced) {
      this.#runMs += FRAME_MS;
      // After a pause, a voiced run counts once it is long enough not to be a click or a noise burst.
      if (inPause && this.#runMs < MIN_VOICE_RUN_MS) {
        this.#silenceMs += FRAME_MS;
        return;
      }
      this.#voicedMs += inPause ? this.#runMs : FRAME_MS;
      this.#heardVoice = true;
      this.#silenceMs = 0;
      if (!this.#inWord && this.#runMs >= this.#o.minWordMs) {
        this.#inWord = true;
        this.#words++;
      }
      return;
    }
    this.#silenceMs += FRAME_MS;
    if (this.#silenceMs >= this.#o.betweenWordsSilenceMs) {
      this.#inWord = false;
      this.#runMs = 0;
    }
  }

  #rules(beep: boolean): Omit<AmdDecision, 'decisionMs'> | undefined {
    const o = this.#o;
    if (beep) return { answeredBy: 'machine', reason: 'beep' };
    if (this.#voicedMs > o.maxGreetingMs) return { answeredBy: 'machine', reason: 'long_greeting' };
    if (this.#words > o.maxWords) return { answeredBy: 'machine', reason: 'many_words' };
    if (this.#heardVoice && this.#words > 0) {
      if (this.#silenceMs >= this.#silenceNeededMs())
        return { answeredBy: 'human', reason: 'short_greeting_then_silence' };
      // The words are how people pick up ("Hello, who's calling?"): a longer greeting waits no longer.
      if (this.#humanWords && this.#silenceMs >= o.transcriptGreetingSilenceMs)
        return { answeredBy: 'human', reason: 'transcript_greeting' };
    }
    if (!this.#heardVoice && this.#ms >= o.initialSilenceMs)
      return { answeredBy: 'unknown', reason: 'initial_silence' };
    if (this.#ms >= o.maxAnalysisMs) return { answeredBy: 'unknown', reason: 'max_analysis_time' };
    return undefined;
  }

  /**
   * The silence that makes the greeting so far a person's: shortGreetingSilenceMs after a word or
   * two, growing with the speech heard to afterGreetingSilenceMs at maxGreetingMs (a longer
   * greeting is more likely a machine pausing between its sentences).
   */
  #silenceNeededMs(): number {
    const o = this.#o;
    if (this.#voicedMs <= o.shortGreetingMs) return o.shortGreetingSilenceMs;
    const share = (this.#voicedMs - o.shortGreetingMs) / Math.max(1, o.maxGreetingMs - o.shortGreetingMs);
    return o.shortGreetingSilenceMs + share * (o.afterGreetingSilenceMs - o.shortGreetingSilenceMs);
  }
}

/** A frame's mean power, dBFS (−120 for digital silence). */
export function levelDbfs(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += ((frame[i] ?? 0) / 32768) ** 2;
  return 10 * Math.log10(sum / Math.max(1, frame.length) + 1e-12);
}
