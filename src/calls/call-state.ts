import type { CallOutcome } from './call-ports';

/**
 * The call lifecycle as a flat transition table. The store keeps `calls.phase` (this machine)
 * next to `calls.status` (the wire status); `toWireStatus` is the only mapping between them.
 *
 *            admit          ringing          answered          hangUp/end          finished
 *   queued ───────▶ dialing ───────▶ ringing ───────▶ answered ──────────▶ ending ──────────▶ ended
 *     │               │  └──────────answered──────────▶  ▲                   ▲
 *     │               │                                                      │
 *     └───────────────┴──────── fail (busy, no answer, auth, balance, error) ┘
 *
 * Wire status: every phase before `ended` is `in_progress`; `ended` is `completed` when the call
 * was answered at some point, `failed` when it never was.
 */
export const CALL_PHASES = ['queued', 'dialing', 'ringing', 'answered', 'ending', 'ended'] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

export type CallTransition = 'admit' | 'ringing' | 'answered' | 'end' | 'finished';

/** [from, transition, to]: anything not listed is refused. */
export const TRANSITIONS: ReadonlyArray<readonly [CallPhase, CallTransition, CallPhase]> = [
  ['queued', 'admit', 'dialing'],
  ['queued', 'end', 'ending'],
  ['dialing', 'ringing', 'ringing'],
  ['dialing', 'answered', 'answered'],
  ['dialing', 'end', 'ending'],
  ['ringing', 'ringing', 'ringing'],
  ['ringing', 'answered', 'answered'],
  ['ringing', 'end', 'ending'],
  ['answered', 'end', 'ending'],
  ['ending', 'finished', 'ended'],
];

export function nextPhase(from: CallPhase, transition: CallTransition): CallPhase | undefined {
  return TRANSITIONS.find(([f, t]) => f === from && t === transition)?.[2];
}

/** Phases a call may be in before `transition` (used as optimistic guards in SQL). */
export function phasesAllowing(transition: CallTransition): CallPhase[] {
  return TRANSITIONS.filter(([, t]) => t === transition).map(([f]) => f);
}

export type WireStatus = 'in_progress' | 'completed' | 'failed';

export function toWireStatus(phase: CallPhase, wasAnswered: boolean): WireStatus {
  if (phase !== 'ended') return 'in_progress';
  return wasAnswered ? 'completed' : 'failed';
}

/** Documented end reasons (API §4.3) plus the telephony outcomes of the self-hosted edition. */
export const END_REASONS = [
  'caller_hangup',
  'agent_end',
  'transfer',
  'timeout',
  'error',
  'busy',
  'no_answer',
  'invalid_number',
  'auth_failed',
  'forbidden',
  'provider_error',
  'rejected',
  'insufficient_balance',
  'voicemail',
  /** The server was draining (SIGTERM) and DRAIN_TIMEOUT_MS ran out, or a second SIGTERM came. */
  'server_shutdown',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Maps the outcome of a SIP leg that ended (telephony's `ended` event) to an end reason. Failed
 * dial outcomes are end reasons of their own; `completed` is a BYE (far end, or ours after
 * we already chose another reason, which then wins).
 */
export function endReasonForOutcome(outcome: CallOutcome, answered: boolean): EndReason {
  switch (outcome) {
    case 'busy':
    case 'no_answer':
    case 'invalid_number':
    case 'auth_failed':
    case 'forbidden':
    case 'provider_error':
    case 'rejected':
      return outcome;
    case 'completed':
      return 'caller_hangup';
    case 'canceled':
      return answered ? 'timeout' : 'no_answer';
  }
}
