import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt, comfortNoiseFrames } from '../../voice/testing/speech-fixtures';
import { toneOf } from './beep-detector';
import { VoicemailScreen } from './voicemail-screen';
import type { AmdDecision } from './answering-machine-detector';

/** The screen's decision so far (a call, so an assertion that it is undefined does not narrow it for later). */
const decisionOf = (screen: VoicemailScreen): AmdDecision | undefined => screen.decision;

/** Pushes frames one by one; returns the index of the frame after which `ready` had resolved. */
async function readyIndex(screen: VoicemailScreen, frames: Int16Array[]): Promise<number | undefined> {
  let ready = false;
  void screen.ready.then(() => (ready = true));
  for (const [i, f] of frames.entries()) {
    screen.push(f);
    await Promise.resolve();
    await Promise.resolve();
    if (ready) return i;
  }
  return undefined;
}

test("leave_message: the message starts once Debian's beep has stopped, not while it still plays", async () => {
  const beep = asteriskPrompt('beep');
  const lead = [...comfortNoiseFrames(300), ...asteriskPrompt('vm-intro'), ...comfortNoiseFrames(300)];
  const frames = [...lead, ...beep, ...comfortNoiseFrames(3000)];
  const lastTone = lead.length + beep.findLastIndex((f) => toneOf(f, 0.6, 1e-4) !== 0);
  const decisions: AmdDecision[] = [];
  const screen = new VoicemailScreen({
    action: 'leave_message',
    holdGreetingMs: 4000,
    onDecision: (d) => decisions.push(d),
  });
  const at = await readyIndex(screen, frames);
  assert.equal(decisions[0]?.answeredBy, 'machine');
  assert.ok(at !== undefined && at > lastTone, `ready after frame ${at}, the beep's last tone frame is ${lastTone}`);
});

test('hang_up: a machine decided at once never lets the agent speak; a person saying "hello" is let speak on the guess, 200 ms after the word', async () => {
  const machine = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 10_000, onDecision: () => undefined });
  const greeting = [...comfortNoiseFrames(300), ...asteriskPrompt('vm-nobodyavail'), ...asteriskPrompt('vm-intro')];
  assert.equal(await readyIndex(machine, greeting), undefined);
  assert.equal(machine.decision?.answeredBy, 'machine');

  const guesses: AmdDecision[] = [];
  const person = new VoicemailScreen({
    action: 'hang_up',
    holdGreetingMs: 10_000,
    onDecision: () => undefined,
    onGuess: (g) => guesses.push(g),
  });
  const word = asteriskPrompt('hello');
  const lastVoiced = 15 + word.findLastIndex((f) => f.some((x) => Math.abs(x) > 300));
  const hello = [...comfortNoiseFrames(300), ...word, ...comfortNoiseFrames(2000)];
  const at = await readyIndex(person, hello);
  assert.ok(at !== undefined, 'the agent is let speak');
  assert.equal(decisionOf(person), undefined, 'on the guess, before the decision');
  assert.ok((at - lastVoiced) * 20 <= 300, `let speak ${(at - lastVoiced) * 20} ms after the word's last voiced frame`);
  assert.equal(guesses.length, 1);
  for (const f of hello.slice(at + 1)) person.push(f);
  assert.equal(person.decision?.answeredBy, 'human', 'the silence confirmed it');
  assert.equal(person.decision?.decisionMs, guesses[0]?.decisionMs, 'a confirmed guess keeps the time it was acted on');
  assert.ok((person.decision?.confirmedMs ?? 0) > (person.decision?.decisionMs ?? Infinity));
});

test('hang_up: a machine that pauses after its first word ("hello, … nobody is available") withdraws the guess and is decided machine', async () => {
  const guesses: AmdDecision[] = [];
  const screen = new VoicemailScreen({
    action: 'hang_up',
    holdGreetingMs: 10_000,
    onDecision: () => undefined,
    onGuess: (g) => guesses.push(g),
  });
  const frames = [
    ...comfortNoiseFrames(300),
    ...asteriskPrompt('hello'),
    // With the prompts' own quiet edges, about 320 ms between the words: past the guess (200 ms), short of 500.
    ...comfortNoiseFrames(100),
    ...asteriskPrompt('vm-nobodyavail'),
    ...asteriskPrompt('vm-intro'),
  ];
  const at = await readyIndex(screen, frames);
  assert.ok(at !== undefined && decisionOf(screen) === undefined, 'the guess let the agent start');
  for (const f of frames.slice(at + 1)) {
    if (screen.decision) break;
    screen.push(f);
  }
  assert.equal(guesses.length, 1);
  assert.equal(screen.decision?.answeredBy, 'machine', 'the words after the pause withdrew the guess');
});
