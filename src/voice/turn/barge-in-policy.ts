import { isBackchannel, spokenWords } from './backchannel-words';

/**
 * The one place that decides whether the caller interrupts the agent ("barge-in").
 *
 * - While the agent is silent (listening), nothing is filtered: caller speech (the endpointer's
 *   speech start, i.e. `minSpeechMs` of voice) or a keypad entry interrupts an answer being
 *   prepared, and every utterance is a turn (a "yeah" answering a question is an answer).
 * - While the agent speaks, speech does not stop it at once: the caller may only be
 *   backchanneling ("uh-huh", "okay"). The agent's audio keeps playing while evidence comes in
 *   as `speech_progress` (voiced speech so far and, with a streaming STT, the interim words), and
 *   the answer is `interrupt` on the first signal where the speech lasted `minSpeechMs` or the
 *   words are `minWords` or more and not all backchannel words. An utterance that ends without
 *   that evidence is judged on its final words (`isBackchannelTurn`): only backchannel words →
 *   ignored (not a turn, not answered); anything else ("no", "stop") → it interrupts then and is
 *   a turn. The upload (non-streaming) STT has no interim words: the duration decides until the
 *   words up to a pause have been uploaded (TurnTaking passes them as the `words` of `speech_progress`).
 * - `filterBackchannels: false` restores the immediate rule (any speech start interrupts).
 * - On hold (`wait_on_hold`) the line carries hold music and IVR prompts, so speech never
 *   interrupts there; keypad entries still do. Keypad entries always interrupt at once.
 *
 * The caller's signals all reach this class through `TurnTaking`.
 */

/** What the agent is doing when the caller makes themselves heard. */
export interface AgentFloor {
  /** Agent audio is queued or playing, or the output pipeline is still synthesizing. */
  speaking: boolean;
  /** An answer is being generated (LLM rounds, tool calls). */
  thinking: boolean;
  /** wait_on_hold: the agent is silent and waits for a human to come back. */
  onHold: boolean;
  /** The agent's last line ended with a question (an overlapping "yeah" may be its answer). */
  askedQuestion?: boolean;
}

/** Something the caller did that may take the floor from the agent. */
export type CallerSignal =
  /** The endpointer decided the caller is speaking (after `minSpeechMs`). */
  | { type: 'speech_started'; atMs: number }
  /** Evidence about speech that started while the agent spoke: voiced ms and interim words so far. */
  | { type: 'speech_progress'; speechMs: number; words: string | undefined }
  /** Keypad digits were handed to the model ('#' or the inter-digit gap). */
  | { type: 'keypad'; digits: string };

/**
 * - `interrupt`: stop the agent now (drop its audio, cancel its answer).
 * - `gather`: the agent goes on speaking; send `speech_progress` until the evidence decides.
 * - `none`: nothing to interrupt (or on hold); the utterance is an ordinary turn.
 */
export type BargeInDecision = 'interrupt' | 'gather' | 'none';

export interface BargeInSettings {
  /** Voiced speech (ms) that interrupts the speaking agent whatever the words. */
  minSpeechMs: number;
  /** Interim words that interrupt the speaking agent, unless they are all backchannel words. */
  minWords: number;
  /** False: any caller speech interrupts at once (no backchannel filtering). */
  filterBackchannels: boolean;
}

export const DEFAULT_BARGE_IN: BargeInSettings = { minSpeechMs: 700, minWords: 2, filterBackchannels: true };

export class BargeInPolicy {
  readonly #s: BargeInSettings;

  constructor(settings: Partial<BargeInSettings> = {}) {
    this.#s = { ...DEFAULT_BARGE_IN, ...settings };
  }

  decide(signal: CallerSignal, floor: AgentFloor): BargeInDecision {
    if (signal.type === 'keypad') return floor.speaking || floor.thinking ? 'interrupt' : 'none';
    if (floor.onHold) return 'none';
    if (signal.type === 'speech_started') {
      if (floor.speaking && this.#s.filterBackchannels) return 'gather';
      return floor.speaking || floor.thinking ? 'interrupt' : 'none';
    }
    // speech_progress: the agent finished meanwhile → the rest is decided on the final words.
    if (!floor.speaking) return 'gather';
    if (signal.speechMs >= this.#s.minSpeechMs) return 'interrupt';
    const words = signal.words ?? '';
    if (spokenWords(words).length >= this.#s.minWords && !isBackchannel(words)) return 'interrupt';
    return 'gather';
  }

  /** True when `signal` should stop the agent now. */
  shouldInterrupt(signal: CallerSignal, floor: AgentFloor): boolean {
    return this.decide(signal, floor) === 'interrupt';
  }

  /**
   * An utterance that started while the agent spoke ended without interrupting it: true when it
   * is only a backchannel (drop it: no turn, no answer). Once the agent has finished a line that
   * asked a question, an overlapping "yeah" is taken as the answer.
   */
  isBackchannelTurn(words: string, floor: AgentFloor): boolean {
    if (!floor.speaking && floor.askedQuestion === true) return false;
    return isBackchannel(words);
  }
}
