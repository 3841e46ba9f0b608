/**
 * Frames carried through the agent's output pipeline (LLM text → sentences → TTS → audio).
 * Kinds (pipecat habit): `system` frames jump every queue and are handled at once (interruptions,
 * errors); `data` frames carry content and are dropped by an interruption; `control` frames mark
 * boundaries, keep their place in the queue and are dropped by an interruption as well.
 * Direction: downstream = towards the caller's ear; upstream = back to the owner (errors).
 */
export type FrameDirection = 'downstream' | 'upstream';
export type FrameKind = 'system' | 'data' | 'control';

export type Frame =
  /** A piece of LLM text for response `responseId`. */
  | { type: 'text'; responseId: number; text: string }
  /** A sentence to speak, numbered within its response. */
  | { type: 'sentence'; responseId: number; index: number; text: string }
  /** 20 ms of 8 kHz audio of sentence `index`. */
  | { type: 'audio'; responseId: number; index: number; pcm: Int16Array }
  /** The end of a sentence's audio. */
  | { type: 'sentence_end'; responseId: number; index: number; frames: number }
  /** End of the response's text: speak what is left, then pass it on. */
  | { type: 'flush'; responseId: number }
  /** Barge-in: drop everything queued and cancel work in flight. */
  | { type: 'interrupt' }
  | { type: 'error'; source: string; error: Error; fatal: boolean };

export const FRAME_KIND: Record<Frame['type'], FrameKind> = {
  text: 'data',
  sentence: 'data',
  audio: 'data',
  sentence_end: 'control',
  flush: 'control',
  interrupt: 'system',
  error: 'system',
};

export const kindOf = (f: Frame): FrameKind => FRAME_KIND[f.type];
