import type { AgentTimings } from '../session-options';

/** What the session looks like at a tick, for the timer rules. */
export interface TimerState {
  nowMs: number;
  /** Audio queued/playing or the output pipeline busy. */
  agentSpeaking: boolean;
  /** The caller is mid-utterance. */
  callerSpeaking: boolean;
  /** Provider work in flight (STT, LLM, tools). */
  busy: boolean;
  /** The answer to a caller turn being generated, if any. */
  response: { startedMs: number; hasText: boolean; acked: boolean; answersCaller: boolean } | undefined;
  hasAcknowledgement: boolean;
  lastActivityMs: number;
  nudged: boolean;
  holdUntilMs: number | undefined;
  dtmfPending: boolean;
  lastDigitMs: number;
  endCallRequested: boolean;
}

/** Nothing going on at session time 0 (the timers' starting state). */
export function quietTimerState(): TimerState {
  return {
    nowMs: 0,
    agentSpeaking: false,
    callerSpeaking: false,
    busy: false,
    response: undefined,
    hasAcknowledgement: false,
    lastActivityMs: 0,
    nudged: false,
    holdUntilMs: undefined,
    dtmfPending: false,
    lastDigitMs: 0,
    endCallRequested: false,
  };
}

export type TimerDecision = 'flush_dtmf' | 'acknowledge' | 'hold_timeout' | 'silence_timeout' | 'nudge';

/**
 * Sans-IO timer rules, evaluated on every 20 ms tick:
 * - keypad digits go to the model after `dtmfGapMs` without a new digit;
 * - a slow answer to the caller gets the acknowledgement after `ackAfterMs` (once);
 * - on hold, only the hold limit counts (no nudge, no silence timeout);
 * - otherwise, when nobody speaks and nothing is pending: the silence timeout ends the call,
 *   and before it a single nudge per silence.
 */
export function dueTimers(s: TimerState, t: AgentTimings): TimerDecision[] {
  const out: TimerDecision[] = [];
  if (s.dtmfPending && s.nowMs - s.lastDigitMs >= t.dtmfGapMs) out.push('flush_dtmf');
  const r = s.response;
  if (r?.answersCaller && !r.hasText && !r.acked && s.hasAcknowledgement && s.nowMs - r.startedMs >= t.ackAfterMs)
    out.push('acknowledge');
  if (s.holdUntilMs !== undefined) {
    if (s.nowMs >= s.holdUntilMs) out.push('hold_timeout');
    return out;
  }
  const idle = !s.endCallRequested && !s.agentSpeaking && !r && !s.callerSpeaking && !s.busy;
  if (!idle) return out;
  const silentMs = s.nowMs - s.lastActivityMs;
  if (t.silenceTimeoutMs > 0 && silentMs >= t.silenceTimeoutMs) out.push('silence_timeout');
  else if (t.nudgeAfterMs > 0 && !s.nudged && silentMs >= t.nudgeAfterMs) out.push('nudge');
  return out;
}
