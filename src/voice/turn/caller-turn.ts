/** A caller utterance, transcribed (what TurnTaking hands over), and the turn while it is spoken. */

/** A caller utterance, transcribed. */
export interface CallerTurn {
  text: string;
  /** Session ms of the speech. */
  startMs: number;
  endMs: number;
  /** The silence the end of turn waited before deciding the turn was over. */
  silenceWaitedMs: number;
  /** Monotonic ms of the end-of-turn decision (latency metrics start here). */
  detectedMono: number;
  /** False when no answer should follow (the conversation is closing: the caller hung up mid-sentence). */
  answerNow: boolean;
  /** Monotonic ms when the words were known (STT done); before `detectedMono` when known during the wait. */
  transcribedMono: number;
}

/** The caller's turn being spoken: its words so far and what is known about them. */
export interface OpenTurn {
  /** Final segments (streaming). */
  finals: string[];
  interim: string;
  /** Upload path: the words of the audio up to the current pause. */
  uploadText: string | undefined;
  /** Counts the caller's pauses; a result for an older pause is stale. */
  pause: number;
  /** The words up to the current pause are known. */
  ready: boolean;
  transcribedMono: number;
  /** The words were asked for in this pause. */
  requested: boolean;
  upload: AbortController | undefined;
  /** The stream failed this turn: the upload takes over. */
  streamFailed: boolean;
  /** Speech to text failed and nothing else can hear this turn. */
  failed: unknown;
  /** The words a reply was prepared for. */
  prepared: string | undefined;
  /**
   * Started while the agent spoke and has not interrupted it yet: perhaps a backchannel. Its
   * evidence goes to the policy as it comes in; no reply is prepared for it.
   */
  held: boolean;
  /** `callerSpeech` 'started' was emitted for it (at once, or once a held utterance interrupted). */
  announced: boolean;
}

/** A turn that has just started: nothing known about its words yet. */
export function newOpenTurn(): OpenTurn {
  return {
    finals: [],
    interim: '',
    uploadText: undefined,
    pause: 0,
    ready: false,
    transcribedMono: 0,
    requested: false,
    upload: undefined,
    streamFailed: false,
    failed: undefined,
    prepared: undefined,
    announced: false,
    held: false,
  };
}

/** The turn's words: the finals (streaming) or the upload's; `withInterim` adds the words not yet final. */
export function turnText(turn: OpenTurn, withInterim = false): string {
  if (turn.uploadText !== undefined) return turn.uploadText;
  const parts = withInterim && turn.interim !== '' ? [...turn.finals, turn.interim] : turn.finals;
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
