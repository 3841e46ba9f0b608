import type { VoicemailAction } from '../../agents/agent-input';
import { AnsweringMachineDetector, type AmdDecision, type AmdOptions } from './answering-machine-detector';

export interface VoicemailScreenOptions {
  action: VoicemailAction;
  /** The agent's first words wait for the decision at most this long after the answer (ms of call audio). */
  holdGreetingMs: number;
  onDecision: (decision: AmdDecision) => void;
  /**
   * A person guessed before the decision and the agent is let speak now (only when the guess is
   * what releases `ready`: at most once, never after the hold or `continue`); the decision follows.
   */
  onGuess?: (guess: AmdDecision) => void;
  detector?: AmdOptions;
  /** leave_message: no beep heard → the greeting counts as over after this much silence. */
  greetingOverSilenceMs?: number;
  /** leave_message: speak at the latest this long after the answer. */
  maxWaitForBeepMs?: number;
}

/**
 * Who answered an outbound call, and when the agent may speak. Fed with the callee's 20 ms frames
 * from the answer on (gaps already filled with silence by the media bridge), so its sense of time
 * is the call's audio and it needs no timers. `ready` resolves when the agent may start talking:
 * - `continue`: at once (detection only reports `answered_by`);
 * - `hang_up`: on a human/unknown decision, on the detector's provisional guess of a person (a
 *   short greeting and 40 % of the silence that decides it: the agent speaks about 0.2 s after a
 *   "hello?"), or when `holdGreetingMs` passes undecided (a person never waits longer than that);
 *   a machine decided first never gets it (the call ends with `voicemail`);
 * - `leave_message`: like hang_up for people; for a machine after its beep (or, without one, once
 *   the greeting is followed by `greetingOverSilenceMs` of silence), so the message is recorded.
 */
export class VoicemailScreen {
  readonly #o: VoicemailScreenOptions;
  readonly #amd: AnsweringMachineDetector;
  #ready!: () => void;
  #isReady = false;
  readonly ready: Promise<void>;
  #recording!: () => void;
  /**
   * leave_message, a machine: resolves once it records (after its beep, or the greeting's end). Also
   * when the greeting hold let the agent start before the decision: the message then still waits for it.
   */
  readonly recording: Promise<void>;

  constructor(options: VoicemailScreenOptions) {
    this.#o = options;
    this.#amd = new AnsweringMachineDetector(options.detector);
    this.ready = new Promise((r) => (this.#ready = r));
    this.recording = new Promise((r) => (this.#recording = r));
    if (options.action === 'continue') this.#release();
  }

  get decision(): AmdDecision | undefined {
    return this.#amd.decision;
  }

  push(frame: Int16Array): void {
    const before = this.#amd.decision;
    const decision = this.#amd.push(frame);
    if (decision && !before) this.#decided(decision);
    const ms = this.#amd.elapsedMs;
    const d = this.#amd.decision;
    const guess = this.#amd.provisional;
    if (!d && guess && !this.#isReady) {
      this.#o.onGuess?.(guess);
      this.#release();
    }
    if (!d && ms >= this.#o.holdGreetingMs) this.#release();
    if (d?.answeredBy === 'machine' && this.#o.action === 'leave_message') {
      // After the beep has stopped (the machine records from there), with 200 ms of quiet around it.
      const beeped = this.#amd.beepAtMs !== undefined && !this.#amd.inTone && this.#amd.silenceMs >= 200;
      const quiet = this.#amd.silenceMs >= (this.#o.greetingOverSilenceMs ?? 1500);
      if (beeped || quiet || ms >= (this.#o.maxWaitForBeepMs ?? 30_000)) {
        this.#recording();
        this.#release();
      }
    }
  }

  /** The callee's words so far (streaming speech-to-text) as extra evidence. */
  pushTranscript(text: string): void {
    const d = this.#amd.pushTranscript(text);
    if (d) this.#decided(d);
  }

  #decided(d: AmdDecision): void {
    this.#o.onDecision(d);
    if (d.answeredBy !== 'machine' || this.#o.action === 'continue') this.#release();
  }

  #release(): void {
    if (this.#isReady) return;
    this.#isReady = true;
    this.#ready();
  }
}
