import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BargeInPolicy, type AgentFloor } from './barge-in-policy';
import { isBackchannel } from './backchannel-words';

const policy = new BargeInPolicy({ minSpeechMs: 700, minWords: 2, filterBackchannels: true });
const unfiltered = new BargeInPolicy({ filterBackchannels: false });
const speech = { type: 'speech_started', atMs: 1000 } as const;
const keypad = { type: 'keypad', digits: '1#' } as const;
const progress = (speechMs: number, words?: string) => ({ type: 'speech_progress', speechMs, words }) as const;
const floor = (f: Partial<AgentFloor>): AgentFloor => ({ speaking: false, thinking: false, onHold: false, ...f });
const speaking = floor({ speaking: true });

test('while the agent speaks, speech gathers evidence instead of interrupting at once', () => {
  assert.equal(policy.decide(speech, speaking), 'gather');
  assert.equal(policy.decide(progress(200, 'uh'), speaking), 'gather');
  assert.equal(policy.decide(progress(400, 'uh-huh'), speaking), 'gather');
  assert.equal(policy.decide(progress(600, 'Yeah, okay.'), speaking), 'gather', 'two words, all backchannel');
  assert.equal(policy.decide(progress(500, 'got it'), speaking), 'gather');
});

test('a real interruption interrupts once the words or the duration are in', () => {
  assert.equal(policy.decide(progress(200, 'wait'), speaking), 'gather', 'one word is not enough yet');
  assert.equal(policy.decide(progress(300, 'wait stop'), speaking), 'interrupt');
  assert.equal(policy.decide(progress(300, 'okay but'), speaking), 'interrupt', 'not all backchannel words');
  assert.equal(policy.decide(progress(700, 'mm'), speaking), 'interrupt', 'long speech, whatever the words');
  assert.equal(policy.decide(progress(700, undefined), speaking), 'interrupt', 'upload STT: the duration alone');
  assert.equal(policy.decide(progress(680, undefined), speaking), 'gather');
});

test('the thresholds are settings', () => {
  const strict = new BargeInPolicy({ minSpeechMs: 1200, minWords: 4 });
  assert.equal(strict.decide(progress(1000, 'wait stop please'), speaking), 'gather');
  assert.equal(strict.decide(progress(1000, 'wait stop please now'), speaking), 'interrupt');
  assert.equal(strict.decide(progress(1200, 'uh-huh'), speaking), 'interrupt');
});

test('filtering off: any speech interrupts the speaking agent at once', () => {
  assert.equal(unfiltered.decide(speech, speaking), 'interrupt');
});

test('an agent that is only thinking is interrupted at once; a listening agent has nothing to interrupt', () => {
  assert.equal(policy.decide(speech, floor({ thinking: true })), 'interrupt');
  assert.equal(policy.decide(speech, floor({})), 'none');
  assert.equal(unfiltered.decide(speech, floor({})), 'none');
});

test('on hold, speech (hold music, IVR prompts) never interrupts; keypad entries still do', () => {
  assert.equal(policy.decide(speech, floor({ thinking: true, onHold: true })), 'none');
  assert.equal(policy.decide(speech, floor({ speaking: true, onHold: true })), 'none');
  assert.equal(policy.decide(progress(5000, 'please hold the line'), floor({ speaking: true, onHold: true })), 'none');
  assert.equal(policy.decide(keypad, floor({ thinking: true, onHold: true })), 'interrupt');
  assert.equal(policy.decide(keypad, speaking), 'interrupt', 'keypad entries interrupt at once');
  assert.equal(policy.decide(keypad, floor({ onHold: true })), 'none');
});

test('an utterance that ended without interrupting: only backchannel words are dropped', () => {
  assert.equal(policy.isBackchannelTurn('Uh-huh.', speaking), true);
  assert.equal(policy.isBackchannelTurn('Okay.', speaking), true);
  assert.equal(policy.isBackchannelTurn('No.', speaking), false, '"no" is a turn');
  assert.equal(policy.isBackchannelTurn('Stop.', speaking), false);
  // The agent finished a question meanwhile: the overlapping "yeah" is its answer.
  assert.equal(policy.isBackchannelTurn('Yeah.', floor({ askedQuestion: true })), false);
  assert.equal(policy.isBackchannelTurn('Yeah.', floor({ askedQuestion: false })), true);
  assert.equal(policy.isBackchannelTurn('Yeah.', floor({ speaking: true, askedQuestion: true })), true);
});

test('backchannel words: whole expressions, any punctuation and case', () => {
  for (const t of ['uh-huh', 'Uh huh.', 'Mhm', 'mm-hmm', 'Yeah.', 'okay', 'OK!', 'right', 'sure', 'Got it.'])
    assert.equal(isBackchannel(t), true, t);
  for (const t of ['All right, I see.', 'yeah yeah', 'Okay, sure.', 'Oh, okay.'])
    assert.equal(isBackchannel(t), true, t);
  for (const t of ['', 'no', 'wait', 'okay but', 'got', 'right now please', 'I need to change the date'])
    assert.equal(isBackchannel(t), false, t);
});
