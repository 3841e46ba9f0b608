import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_MS } from '../../audio/frame';
import { toFrames } from '../../audio/frame-chunker';
import { AnsweringMachineDetector, soundsLikeHumanGreeting, soundsLikeMachine } from './answering-machine-detector';
import { BeepDetector } from './beep-detector';
import { labelledAnswers, simulatedTranscripts, type LabelledAnswer } from './testing/answer-recordings';
import { noise, overTheLine } from './testing/answer-voices';
import { asteriskPrompt, comfortNoiseFrames } from '../../voice/testing/speech-fixtures';

const decide = (frames: Int16Array[], d = new AnsweringMachineDetector()) => {
  for (const f of frames) if (d.push(f)) break;
  return d.decision;
};

/** The answer's audio with a streaming STT's interims pushed as they would arrive (300 ms late). */
const decideWithWords = (a: LabelledAnswer, d = new AnsweringMachineDetector()) => {
  const texts = simulatedTranscripts(a, 300);
  a.frames.some((f, i) => {
    if (d.push(f)) return true;
    while (texts[0] && texts[0].atMs <= (i + 1) * FRAME_MS) d.pushTranscript(texts.shift()?.text ?? '');
    return d.decision !== undefined;
  });
  return d.decision;
};

const answer = (name: string): LabelledAnswer => {
  const a = labelledAnswers().find((x) => x.name === name);
  assert.ok(a, `no labelled answer "${name}"`);
  return a;
};

test('real recordings: a short "hello" then silence is a human, decided within 600 ms of the word', () => {
  for (const name of ['hello (200 ms)', 'kal: hello? (300 ms)', 'en-us: hello? (250 ms)']) {
    const hello = answer(name);
    const d = decide(hello.frames);
    assert.equal(d?.answeredBy, 'human', name);
    assert.ok(
      d.decisionMs - hello.speechEndMs <= 600,
      `${name}: ${d.decisionMs - hello.speechEndMs} ms after the word`,
    );
  }
});

test('"hello? … hello?" with a pause is a human, decided in the pause before the second hello', () => {
  const a = answer('hello? … hello? (300 ms)');
  const d = decide(a.frames);
  assert.equal(d?.answeredBy, 'human');
  assert.ok(d.decisionMs < (a.segments[1]?.startMs ?? 0), `${d.decisionMs} ms`);
});

test('real recordings: voicemail greetings are machines, decided at the latest 1 s after the greeting ends', () => {
  const machines = labelledAnswers().filter((x) => x.label === 'machine');
  const right = machines.filter((a) => decide(a.frames)?.answeredBy === 'machine');
  assert.ok(right.length >= machines.length - 1, `machines heard: ${right.length}/${machines.length}`);
  for (const a of right) {
    const d = decide(a.frames);
    assert.ok(
      d && d.decisionMs <= a.speechEndMs + 1000,
      `${a.name}: ${d?.decisionMs} vs greeting end ${a.speechEndMs}`,
    );
  }
});

test('the labelled set (≥ 40 answers, several voices) is classified at least 95 % right', () => {
  const answers = labelledAnswers();
  assert.ok(answers.length >= 40);
  const engines = new Set(answers.flatMap((a) => a.speaker.split(' + ').map((s) => s.split('/')[0])));
  assert.deepEqual([...engines].sort(), ['allison', 'beep', 'espeak', 'flite']);
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

test('a loud steady background noise alone is not a greeting (the noise floor follows it)', () => {
  for (const kind of ['hiss', 'rumble'] as const) {
    const line = noise(6000 * 8, kind, -34, 7);
    const frames = toFrames(overTheLine(Int16Array.from(line, (v) => Math.round(v))));
    assert.equal(decide(frames)?.answeredBy, 'unknown', kind);
  }
});

test('voicemail and carrier phrases are machine words; how people pick up is not', () => {
  for (const text of [
    "Hi, you've reached Sam. I can't take your call, please leave a message.",
    'Sam is not available right now',
    'please record your message after the tone',
    'welcome to the voicemail of',
    'the mailbox is full',
    'The person you are calling cannot be reached',
    'the number you have dialed is not in service',
  ])
    assert.ok(soundsLikeMachine(text), text);
  for (const text of ['Hello?', 'Hello? Yes, this is Sam speaking.', "Hi, who's calling?", 'Yeah?'])
    assert.ok(!soundsLikeMachine(text), text);
  for (const text of ['Hello?', "hello, who's calling", 'Yes?', 'Hi, this is Sam.'])
    assert.ok(soundsLikeHumanGreeting(text), text);
  for (const text of [
    '',
    'Hi, this is Sam, I cannot take your call right now',
    'Nobody is available to take your call',
  ])
    assert.ok(!soundsLikeHumanGreeting(text), text);
});

test('a transcript with voicemail phrases decides "machine" while the audio is still undecided', () => {
  const d = new AnsweringMachineDetector();
  for (const f of asteriskPrompt('hello').slice(0, 20)) assert.equal(d.push(f), undefined);
  assert.equal(d.pushTranscript('Hello, you have reached the voicemail of Sam')?.answeredBy, 'machine');
  assert.equal(d.decision?.reason, 'transcript');
});

test('streaming transcripts: a voicemail greeting is decided by its words, before its length would decide', () => {
  for (const name of [
    'nobody available + leave message after the tone (300 ms)',
    "slt: hi, you've reached Sam … after the tone (400 ms)",
    'en-us+m3: the voicemail of Jordan Lee (500 ms)',
  ]) {
    const a = answer(name);
    const byAudio = decide(a.frames);
    const byWords = decideWithWords(a);
    assert.equal(byWords?.answeredBy, 'machine', name);
    assert.equal(byWords.reason, 'transcript', name);
    assert.ok(
      byWords.decisionMs < (byAudio?.decisionMs ?? Infinity),
      `${name}: ${byWords.decisionMs} vs ${byAudio?.decisionMs}`,
    );
  }
});

test('streaming transcripts: "hello, who\'s calling?" lets a longer greeting be decided human as soon as a "hello?"', () => {
  const a = answer("en-gb: hello, who's calling? (450 ms)");
  const byAudio = decide(a.frames);
  const byWords = decideWithWords(a);
  assert.equal(byAudio?.answeredBy, 'human');
  assert.equal(byWords?.answeredBy, 'human');
  assert.equal(byWords.reason, 'transcript_greeting');
  assert.ok(byWords.decisionMs < byAudio.decisionMs, `${byWords.decisionMs} vs ${byAudio.decisionMs}`);
});

test('streaming transcripts do not change what the labelled set is', () => {
  const wrong = labelledAnswers().filter((a) => decideWithWords(a)?.answeredBy !== a.label);
  assert.ok(wrong.length <= labelledAnswers().length * 0.05, wrong.map((a) => a.name).join(', '));
});
