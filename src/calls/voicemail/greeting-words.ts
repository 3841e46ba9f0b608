/**
 * What the words of an answer say about who answered (the transcript evidence of the
 * answering-machine detector): voicemail greetings and carrier messages have their set phrases;
 * people who pick up say "hello?", "yes?", "who is this?" and stop.
 */

/** Voicemail greetings and carrier messages, as a speech-to-text provider writes them. */
const MACHINE_PHRASES = new RegExp(
  [
    'leave (me |us )?(a |your )?(brief |short )?(message|voicemail|name and number)',
    '(after|at) the (tone|beep)',
    'not available',
    'unavailable',
    "(can'?t|cannot|can not) (take|come to|get to|answer) (your|the) (call|phone)",
    'voice ?mail',
    'mail ?box',
    'record your (message|name)',
    "(you'?ve|you have) reached",
    'the person you are (calling|trying to reach)',
    'the (number|subscriber|party) you (have )?(dialed|called|are calling)',
    'is not in service',
    'has been disconnected',
    '(no ?one|nobody) is (available|here|home)',
    "(i'?m|we'?re) (not|un)(available| home| here| able to)",
    '(please )?try (again|your call again) later',
    'is not answering',
  ]
    .map((p) => `(${p})`)
    .join('|'),
  'i',
);

/** Whether a transcript sounds like an answering machine or a carrier message. */
export const soundsLikeMachine = (text: string): boolean => MACHINE_PHRASES.test(text);

const HUMAN_OPENERS = new Set([
  'hello',
  'hallo',
  'hullo',
  'hi',
  'hey',
  'yes',
  'yeah',
  'yep',
  'yo',
  'speaking',
  'who',
  'whos',
  'what',
  'sorry',
  'huh',
]);

/**
 * Whether a transcript is how a person picks up: a few words (at most 5) that start with a
 * greeting or a question word ("Hello?", "Yes?", "Hi, who's this?", "Hello, Sam speaking") and no
 * voicemail phrase. A greeting that goes on ("Hi, this is Sam, I can't take your call…") is not.
 */
export function soundsLikeHumanGreeting(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/'/g, '')
    .split(' ')
    .filter((w) => w !== '');
  const first = words[0];
  return first !== undefined && words.length <= 5 && HUMAN_OPENERS.has(first) && !soundsLikeMachine(text);
}
