import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt, comfortNoiseFrames } from '../../voice/testing/speech-fixtures';
import { toneOf } from './beep-detector';
import { VoicemailScreen } from './voicemail-screen';
import type { AmdDecision } from './answering-machine-detector';

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

test('hang_up: a machine never lets the agent speak; a person saying "hello" does', async () => {
  const machine = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 10_000, onDecision: () => undefined });
  const greeting = [...comfortNoiseFrames(300), ...asteriskPrompt('vm-nobodyavail'), ...asteriskPrompt('vm-intro')];
  assert.equal(await readyIndex(machine, greeting), undefined);
  assert.equal(machine.decision?.answeredBy, 'machine');
  const person = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 10_000, onDecision: () => undefined });
  const hello = [...comfortNoiseFrames(300), ...asteriskPrompt('hello'), ...comfortNoiseFrames(2000)];
  assert.notEqual(await readyIndex(person, hello), undefined);
  assert.equal(person.decision?.answeredBy, 'human');
});
