import type { AgentTimings } from '../session-options';
import type { CallerActivity } from './turn-taking';
import { dueTimers, quietTimerState, type TimerDecision, type TimerState } from './due-timers';

/** What the other owners look like at a tick (the timers own the rest of `TimerState`). */
export type TimerView = Pick<
  TimerState,
  'agentSpeaking' | 'callerSpeaking' | 'busy' | 'response' | 'hasAcknowledgement' | 'dtmfPending' | 'lastDigitMs'
>;

/**
 * The conversation's clocks: silence since the last sound of either side (nudge once, then the
 * silence timeout), the hold limit of `wait_on_hold`, and the end_call in progress (no silence
 * timeout while the goodbye plays). Evaluated on the 20 ms tick by the sans-IO `dueTimers` rules.
 */
export class ConversationTimers {
  readonly #t: AgentTimings;
  #lastActivityMs = 0;
  #nudged = false;
  #holdUntilMs: number | undefined;
  #wasSpeaking = false;
  #endCallRequested = false;
  readonly #state: TimerState = quietTimerState();

  constructor(timings: AgentTimings) {
    this.#t = timings;
  }

  get onHold(): boolean {
    return this.#holdUntilMs !== undefined;
  }

  /** The caller made themselves heard; speech starts and keypad entries re-arm the nudge. */
  callerActivity(kind: CallerActivity, nowMs: number): void {
    this.#lastActivityMs = nowMs;
    if (kind !== 'speech_ended') this.#nudged = false;
  }

  /** wait_on_hold: only the hold limit counts until the model speaks again (a second call keeps the first limit). */
  enterHold(nowMs: number, maxSeconds: number): void {
    this.#holdUntilMs ??= nowMs + maxSeconds * 1000;
  }

  leaveHold(): void {
    this.#holdUntilMs = undefined;
  }

  /** end_call: the goodbye plays, then the owner hangs up; no silence timer may fire meanwhile. */
  endCallRequested(): void {
    this.#endCallRequested = true;
  }

  /** One tick: what is due now. A nudge counts as given once returned. */
  tick(nowMs: number, view: TimerView): TimerDecision[] {
    if (this.#wasSpeaking && !view.agentSpeaking) this.#lastActivityMs = nowMs;
    this.#wasSpeaking = view.agentSpeaking;
    // One state object, refilled each tick (this runs 50 times a second per call).
    const state = this.#state;
    state.nowMs = nowMs;
    state.agentSpeaking = view.agentSpeaking;
    state.callerSpeaking = view.callerSpeaking;
    state.busy = view.busy;
    state.response = view.response;
    state.hasAcknowledgement = view.hasAcknowledgement;
    state.lastActivityMs = this.#lastActivityMs;
    state.nudged = this.#nudged;
    state.holdUntilMs = this.#holdUntilMs;
    state.dtmfPending = view.dtmfPending;
    state.lastDigitMs = view.lastDigitMs;
    state.endCallRequested = this.#endCallRequested;
    const due = dueTimers(state, this.#t);
    if (due.includes('nudge')) this.#nudged = true;
    return due;
  }
}
