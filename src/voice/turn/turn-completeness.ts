/**
 * Does the caller's transcript read as a finished turn? The adaptive end of turn (TurnTaking)
 * waits a short silence after a finished sentence or question, a long one after words that
 * announce more ("and", "so", "um", "I'd like to", a number being dictated), and the neutral
 * wait otherwise. Word lists are English; other languages get the neutral wait unless punctuated.
 */
export type Completeness = 'complete' | 'unfinished' | 'neutral';

/** Words after which a sentence cannot end: conjunctions, fillers, articles, prepositions, auxiliaries. */
const UNFINISHED_LAST_WORDS = new Set(
  (
    'and or but so because cause since though although if then than that which who whose where when while ' +
    'um umm uh uhh er erm hmm mm like well also plus ' +
    'a an the this these those my your our their his her its some any no every each ' +
    'to of for with at in on from by about into onto over under after before between through ' +
    "i i'm i'd i've i'll we we're you you're he she they it's is are was were am be been being " +
    'do does did have has had can could would should will shall may might must want wanna gonna need ' +
    'let me'
  ).split(/\s+/),
);

const NUMBER_WORDS = new Set(
  'zero oh one two three four five six seven eight nine ten hundred thousand double triple'.split(' '),
);

export function completenessOf(text: string): Completeness {
  const t = text.trim();
  if (t === '') return 'neutral';
  // "…", "--", a trailing comma or dash: the caller is mid-thought.
  if (/(,|;|:|-|—|–|\.\.\.|…)$/.test(t)) return 'unfinished';
  const words = t
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const last = words.at(-1) ?? '';
  if (UNFINISHED_LAST_WORDS.has(last)) return 'unfinished';
  // Digits being dictated (a phone or card number): "my number is 555 01…", "four one five".
  if (/\d$/.test(t) && !/[.?!]$/.test(t)) return 'unfinished';
  if (NUMBER_WORDS.has(last) && words.length >= 2 && NUMBER_WORDS.has(words.at(-2) ?? '')) return 'unfinished';
  if (/[.?!]["')\]]*$/.test(t)) return 'complete';
  return 'neutral';
}

export interface EndOfTurnSilence {
  /** After a finished sentence or question. */
  minMs: number;
  /** Neither finished nor unfinished (e.g. no punctuation). */
  neutralMs: number;
  /** After words that announce more. */
  maxMs: number;
}

/** The silence after which the turn with this transcript is over. */
export function endOfTurnSilenceMs(text: string, s: EndOfTurnSilence): number {
  const c = completenessOf(text);
  if (c === 'complete') return s.minMs;
  if (c === 'unfinished') return s.maxMs;
  return Math.min(s.maxMs, Math.max(s.minMs, s.neutralMs));
}

/** The same words, whatever the case and punctuation (an interim and its final often differ only there). */
export function sameWords(a: string, b: string): boolean {
  const norm = (x: string): string =>
    x
      .toLowerCase()
      .replace(/[^\p{L}\p{N}'\s]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  return norm(a) === norm(b);
}
