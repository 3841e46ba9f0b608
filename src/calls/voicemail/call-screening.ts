import type { Logger } from '../../shared/log';
import type { Timers } from '../../shared/timers';
import type { VoicemailAction } from '../../agents/agent-input';
import type { StreamingSttProvider, SttProvider } from '../../voice/index';
import type { AgentSessionPort } from '../call-ports';
import type { EndReason } from '../call-state';
import type { AmdDecision } from './answering-machine-detector';
import { ScreeningTranscript } from './screening-transcript';
import { UploadScreeningTranscript } from './upload-screening-transcript';
import { VoicemailScreen } from './voicemail-screen';

/** An outbound call's voicemail setting, as the call controller gets it. */
export interface VoicemailSettings {
  action: VoicemailAction;
  /** The agent's first words wait for the decision at most this long (`continue`: never). */
  holdGreetingMs: number;
  /** leave_message: what is said after the beep. */
  message?: string;
  /**
   * The streaming speech-to-text, when one is configured: with hang_up / leave_message the
   * callee's words while the screen listens are evidence too (screening-transcript.ts).
   */
  stt?: StreamingSttProvider | undefined;
  /**
   * The upload speech-to-text (STT_BASE_URL), used for the same evidence when no streaming one is
   * set: the callee's first seconds uploaded every second while undecided (upload-screening-transcript.ts).
   */
  uploadStt?: SttProvider | undefined;
  /** The speech-to-text's language hint (the call's primary_language). */
  language?: string | undefined;
}

/** Who answered an outbound call, for the finalizer (calls.answered_by, answered_by_ms, answered_by_guess_ms). */
export interface AnsweredByReport {
  answeredBy: string;
  /** Answer → decision, ms (null: undecided). */
  decisionMs: number | null;
  /** Answer → the agent was let speak on a provisional guess of a person, ms (null: no guess did). */
  guessMs: number | null;
}

export interface CallScreeningOptions {
  settings: VoicemailSettings;
  callId: number;
  agent: AgentSessionPort;
  timers: Timers;
  log: Logger;
  /** Ends the call (the controller's end(), once). */
  end: (reason: EndReason) => Promise<unknown>;
  /** True once the call is ending. */
  ending: () => boolean;
  /** Settles when the call has ended. */
  done: Promise<unknown>;
}

/**
 * Who answered an outbound call, and what follows from it: the caller's first frames go to the
 * answering-machine screen (and, with hang_up / leave_message and a speech-to-text, to its own
 * transcript: streamed, or uploaded every second when only the upload STT is configured); `ready`
 * lets the agent speak once a person is decided or the hold ran out; a machine gets
 * `voicemail_action` — hung up with `voicemail`, or the message after its beep, then hung up.
 * The call controller owns the call; this owns the voicemail decision.
 */
export class CallScreening {
  readonly #o: CallScreeningOptions;
  readonly #screen: VoicemailScreen;
  readonly #words: ScreeningTranscript | UploadScreeningTranscript | undefined;
  #decision: AmdDecision | undefined;
  /** The provisional guess of a person that let the agent speak (the screen fires onGuess only then). */
  #guess: AmdDecision | undefined;
  #agentStarted = false;
  #leavingMessage = false;

  constructor(o: CallScreeningOptions) {
    this.#o = o;
    const s = o.settings;
    const screen = new VoicemailScreen({
      action: s.action,
      holdGreetingMs: s.holdGreetingMs,
      onDecision: (d) => this.#onDecision(d),
      onGuess: (g) => {
        this.#guess ??= g;
        o.log.info(
          { callId: o.callId, reason: g.reason, guessMs: g.decisionMs },
          'answered by a person, provisionally',
        );
      },
    });
    this.#screen = screen;
    // `continue` only reports who answered: no speech-to-text of its own for it.
    const words = {
      language: s.language,
      timers: o.timers,
      onText: (text: string) => screen.pushTranscript(text),
      onError: (err: Error) => o.log.warn({ callId: o.callId, err }, 'voicemail screen: speech-to-text failed'),
    };
    if (s.action === 'continue') this.#words = undefined;
    else if (s.stt) this.#words = new ScreeningTranscript({ ...words, stt: s.stt });
    else if (s.uploadStt) this.#words = new UploadScreeningTranscript({ ...words, stt: s.uploadStt });
  }

  /** Resolves when the agent may speak: a decision, or the greeting hold ran out. */
  get ready(): Promise<unknown> {
    return this.#screen.ready;
  }

  /** One 20 ms frame of the callee's audio. */
  push(frame: Int16Array): void {
    this.#screen.push(frame);
    this.#words?.push(frame);
  }

  /** The controller started the agent (a person, or the hold ran out before the decision). */
  agentStarted(): void {
    this.#agentStarted = true;
  }

  /** leave_message, a machine answered and there is a message (and an agent that can leave one). */
  leavesMessage(): boolean {
    const s = this.#o.settings;
    return (
      s.action === 'leave_message' &&
      this.#decision?.answeredBy === 'machine' &&
      Boolean(s.message?.trim()) &&
      this.#o.agent.leaveMessage !== undefined
    );
  }

  /** Once the machine records (after its beep or greeting): the message, then hang up with `voicemail`. */
  async leaveMessage(): Promise<void> {
    const o = this.#o;
    const message = o.settings.message?.trim();
    const leave = o.agent.leaveMessage?.bind(o.agent);
    if (this.#leavingMessage || !message || !leave) return;
    this.#leavingMessage = true;
    try {
      await Promise.race([this.#screen.recording, o.done]);
      if (o.ending()) return;
      await Promise.race([leave(message), o.done]);
      if (!o.ending()) await o.end('voicemail');
    } catch (err) {
      o.log.error({ callId: o.callId, err }, 'leaving the voicemail message failed');
      await o.end('error');
    }
  }

  /**
   * Who answered, for the call row: undecided when the call ended → unknown at that point.
   * `guessMs`: when the screen let the agent speak on a provisional guess of a person, if the agent
   * then started (null when a decision, the greeting hold or `continue` let it speak, or it never
   * did — e.g. a machine decided before the agent could start); ≤ decisionMs for a person.
   */
  answeredBy(): AnsweredByReport {
    const guessMs = this.#guess && this.#agentStarted ? this.#guess.decisionMs : null;
    if (this.#decision)
      return { answeredBy: this.#decision.answeredBy, decisionMs: this.#decision.decisionMs, guessMs };
    return { answeredBy: 'unknown', decisionMs: null, guessMs };
  }

  /** The call is ending: the screening transcript is closed (its stream, or the upload in flight). */
  close(): void {
    this.#words?.close();
  }

  #onDecision(d: AmdDecision): void {
    const o = this.#o;
    this.#decision = d;
    this.#words?.close();
    o.log.info(
      {
        callId: o.callId,
        answeredBy: d.answeredBy,
        reason: d.reason,
        decisionMs: d.decisionMs,
        ...(d.confirmedMs !== undefined ? { confirmedMs: d.confirmedMs } : {}),
      },
      'answered by',
    );
    if (d.answeredBy === 'machine' && o.settings.action === 'hang_up') void o.end('voicemail');
    // The hold ran out before the decision, so the agent already started: a machine still gets the message.
    else if (this.#agentStarted && this.leavesMessage()) void this.leaveMessage();
  }
}
