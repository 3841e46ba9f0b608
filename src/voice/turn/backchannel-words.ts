/**
 * Backchannel words: what a listener says to show they follow ("uh-huh", "yeah", "okay", "got it")
 * without asking for the floor. Sans-IO; used by the barge-in policy on interim and final words.
 */

/** Backchannel expressions, normalized (lower case, no punctuation, hyphens as spaces). */
const PHRASES: readonly string[] = [
  'uh huh',
  'uh uh',
  'mm hmm',
  'mhm',
  'mhmm',
  'mm',
  'mmm',
  'hmm',
  'hm',
  'uh',
  'um',
  'ah',
  'oh',
  'aha',
  'yeah',
  'yea',
  'yes',
  'yep',
  'yup',
  'ya',
  'okay',
  'ok',
  'k',
  'right',
  'all right',
  'alright',
  'sure',
  'got it',
  'i see',
  'i got it',
  'cool',
  'great',
  'good',
  'fine',
  'nice',
  'true',
  'exactly',
  'totally',
  'indeed',
  'of course',
  'makes sense',
  'that makes sense',
  'that is right',
  "that's right",
  'sounds good',
  'perfect',
  'wow',
  'really',
  'gotcha',
];

const BY_LENGTH = new Map<number, Set<string>>();
for (const p of PHRASES) {
  const n = p.split(' ').length;
  const set = BY_LENGTH.get(n) ?? new Set<string>();
  set.add(p);
  BY_LENGTH.set(n, set);
}
const LONGEST = Math.max(...BY_LENGTH.keys());

/** The words of `text`, lower case, without punctuation ("Uh-huh, okay." → ["uh", "huh", "okay"]). */
export function spokenWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '' && w !== "'");
}

/**
 * True when `text` has words and every one of them belongs to a backchannel expression
 * ("uh-huh", "yeah okay", "got it"); "okay but wait" or "no" are not backchannels.
 */
export function isBackchannel(text: string): boolean {
  const words = spokenWords(text);
  if (words.length === 0) return false;
  // Greedy cover from the left, longest expression first ("all right" before "all").
  let i = 0;
  outer: while (i < words.length) {
    for (let n = Math.min(LONGEST, words.length - i); n >= 1; n--) {
      if (BY_LENGTH.get(n)?.has(words.slice(i, i + n).join(' '))) {
        i += n;
        continue outer;
      }
    }
    return false;
  }
  return true;
}
