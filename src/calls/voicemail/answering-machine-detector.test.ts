import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnsweringMachineDetector, soundsLikeMachine } from './answering-machine-detector';
import { BeepDetector } from './beep-detector';
import { labelledAnswers } from './testing/answer-recordings';
import { asteriskPrompt, comfortNoiseFrames } from '../../voice/testing/speech-fixtures';

const decide = (frames: Int16Array[], d = new AnsweringMachineDetector()) => {
  for (const f of frames) if (d.push(f)) break;
  return d.decision;
};

test('real recordings: a short "hello" then silence is a human, decided well within a second of the word', () => {
  const hello = labelledAnswers().find((a) => a.name === 'hello (200 ms)')!;
  const d = decide(hello.frames);
  assert.equal(d?.answeredBy, 'human');
  assert.ok(d.decisionMs - hello.speechEndMs < 1000, `${d.decisionMs - hello.speechEndMs} ms after the word`);
});

test('real recordings: voicemail greetings are machines, decided before their beep has finished', () => {
  for (const a of labelledAnswers().filter((x) => x.label === 'machine')) {
    const d = decide(a.frames);
    assert.equal(d?.answeredBy, 'machine', a.name);
    assert.ok(d.decisionMs <= a.speechEndMs + 1000, `${a.name}: ${d.decisionMs} vs greeting end ${a.speechEndMs}`);
  }
});

test('the labelled set is classified correctly (the benchmark prints the figures)', () => {
  const answers = labelledAnswers();
  assert.ok(answers.length >= 30);
  const wrong = answers.filter((a) => decide(a.frames)?.answeredBy !== a.label).map((a) => a.name);
  assert.ok(wrong.length <= answers.length * 0.05, `misclassified: ${wrong.join(', ')}`);
});

test("the beep detector hears Debian's beep.wav and not Allison's speech", () => {
  const beep = new BeepDetector();
  assert.ok(asteriskPrompt('beep').some((f) => beep.push(f)));
  const speech = new BeepDetector();
  for (const name of ['vm-intro', 'vm-nobodyavail', 'hello-world', 'vm-theperson'])
    assert.ok(!asteriskPrompt(name).some((f) => speech.push(f)), name);
});

test('silence after the answer is unknown (the agent goes on), never a machine', () => {
  const d = decide(comfortNoiseFrames(6000));
  assert.equal(d?.answeredBy, 'unknown');
  assert.equal(d?.reason, 'initial_silence');
});

test('a transcript with voicemail phrases decides "machine" while the audio is still undecided', () => {
  assert.ok(soundsLikeMachine("Hi, you've reached Sam. I can't take your call, please leave a message."));
  assert.ok(!soundsLikeMachine('Hello? Yes, this is Sam speaking.'));
  const d = new AnsweringMachineDetector();
  for (const f of asteriskPrompt('hello').slice(0, 20)) assert.equal(d.push(f), undefined);
  assert.equal(d.pushTranscript('Hello, you have reached the voicemail of Sam')?.answeredBy, 'machine');
});
