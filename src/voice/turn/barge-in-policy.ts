/**
 * The one place that decides whether the caller interrupts the agent ("barge-in").
 *
 * Today's rule: caller speech (the endpointer's speech start, i.e. `minSpeechMs` of voice) or a
 * keypad entry interrupts while the agent speaks or is preparing an answer. On hold
 * (`wait_on_hold`) the line carries hold music and IVR prompts, so speech never interrupts there;
 * keypad entries still do.
 *
 * Where turn-taking grows (issue #10), it grows here: backchannel filtering ("mhm", "okay" while
 * the agent talks: a minimum number of words or of speech duration before it counts) becomes a
 * `speech_progress` signal carrying the words and duration so far, answered with `interrupt` once
 * enough evidence is in; the caller's signals all reach this class through `TurnTaking`.
 */

/** What the agent is doing when the caller makes themselves heard. */
export interface AgentFloor {
  /** Agent audio is queued or playing, or the output pipeline is still synthesizing. */
  speaking: boolean;
  /** An answer is being generated (LLM rounds, tool calls). */
  thinking: boolean;
  /** wait_on_hold: the agent is silent and waits for a human to come back. */
  onHold: boolean;
}

/** Something the caller did that may take the floor from the agent. */
export type CallerSignal =
  /** The endpointer decided the caller is speaking (after `minSpeechMs`). */
  | { type: 'speech_started'; atMs: number }
  /** Keypad digits were handed to the model ('#' or the inter-digit gap). */
  | { type: 'keypad'; digits: string };

export class BargeInPolicy {
  /** True when `signal` should stop the agent now (drop its audio, cancel its answer). */
  shouldInterrupt(signal: CallerSignal, floor: AgentFloor): boolean {
    if (!floor.speaking && !floor.thinking) return false;
    if (signal.type === 'keypad') return true;
    return !floor.onHold;
  }
}
