/**
 * An agent's `barge_in` settings: how the caller interrupts the agent while it speaks
 * (voice/turn/barge-in-policy.ts). Each key overrides the platform default (BARGE_IN_* env);
 * null or an absent key = the default.
 */
export interface BargeInOverrides {
  /** Voiced speech (ms) that interrupts the speaking agent whatever the words. */
  min_speech_ms?: number;
  /** Interim words (streaming STT) that interrupt, unless all backchannel words. */
  min_words?: number;
  /** False: any caller speech stops the agent at once. */
  filter_backchannels?: boolean;
}

export const BARGE_IN_MIN_SPEECH_MS_RANGE = { min: 60, max: 10_000 } as const;
export const BARGE_IN_MIN_WORDS_RANGE = { min: 1, max: 20 } as const;
const KEYS = ['min_speech_ms', 'min_words', 'filter_backchannels'];

const wholeIn = (v: unknown, r: { min: number; max: number }): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max;

/** Validates a `barge_in` value; problems go to `add(field, message)`. */
export function parseBargeIn(
  value: unknown,
  field: string,
  add: (field: string, message: string) => void,
): BargeInOverrides | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(field, 'Must be an object ({"min_speech_ms", "min_words", "filter_backchannels"}) or null.');
    return null;
  }
  const v = value as Record<string, unknown>;
  const out: BargeInOverrides = {};
  for (const k of Object.keys(v)) if (!KEYS.includes(k)) add(`${field}.${k}`, 'Unknown setting.');
  const r1 = BARGE_IN_MIN_SPEECH_MS_RANGE;
  if (v.min_speech_ms !== undefined && v.min_speech_ms !== null) {
    if (wholeIn(v.min_speech_ms, r1)) out.min_speech_ms = v.min_speech_ms;
    else add(`${field}.min_speech_ms`, `Must be a whole number of ms from ${r1.min} to ${r1.max}, or null.`);
  }
  const r2 = BARGE_IN_MIN_WORDS_RANGE;
  if (v.min_words !== undefined && v.min_words !== null) {
    if (wholeIn(v.min_words, r2)) out.min_words = v.min_words;
    else add(`${field}.min_words`, `Must be a whole number from ${r2.min} to ${r2.max}, or null.`);
  }
  if (v.filter_backchannels !== undefined && v.filter_backchannels !== null) {
    if (typeof v.filter_backchannels === 'boolean') out.filter_backchannels = v.filter_backchannels;
    else add(`${field}.filter_backchannels`, 'Must be a boolean or null.');
  }
  return Object.keys(out).length === 0 ? null : out;
}
