import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../shared/log';
import { FakeTimers } from '../../shared/timers';
import { startFakeOpenAiSttServer } from '../../voice/testing/fake-openai-stt-server';
import { asteriskPrompt, comfortNoiseFrames } from '../../voice/testing/speech-fixtures';
import { OpenAiStt } from '../../voice/stt/openai-stt';
import type { SttProvider } from '../../voice/index';
import { until } from '../../../test/support/until';
import type { AgentSessionPort } from '../call-ports';
import type { EndReason } from '../call-state';
import { CallScreening, type VoicemailSettings } from './call-screening';

/** No agent is needed: hang_up never leaves a message (CallScreening only asks the agent for that). */
const NO_AGENT = {} as AgentSessionPort;

/** A CallScreening as the controller makes it; `ended`: how the call was ended. */
function screeningOf(settings: VoicemailSettings) {
  const ended: EndReason[] = [];
  const screening = new CallScreening({
    settings,
    callId: 1,
    agent: NO_AGENT,
    timers: new FakeTimers(),
    log: silentLogger,
    end: (reason) => Promise.resolve(void ended.push(reason)),
    ending: () => ended.length > 0,
    done: new Promise(() => undefined),
  });
  return { screening, ended };
}

/**
 * Plays `frames` to a hang_up screening the way CallController drives it: every frame pushed, and
 * once `ready` resolves (the call not ending) the agent is started — unless `startAgent` is false
 * (the call ended first). Returns the screening, the ms of audio after which the agent started,
 * and how the call ended.
 */
async function play(frames: Int16Array[], o: { holdGreetingMs?: number; startAgent?: boolean } = {}) {
  const { screening, ended } = screeningOf({ action: 'hang_up', holdGreetingMs: o.holdGreetingMs ?? 4000 });
  let ready = false;
  void screening.ready.then(() => (ready = true));
  let agentStartedMs: number | undefined;
  for (const [i, f] of frames.entries()) {
    if (ended.length > 0) break;
    screening.push(f);
    await Promise.resolve();
    await Promise.resolve();
    if (ready && agentStartedMs === undefined && ended.length === 0 && o.startAgent !== false) {
      screening.agentStarted();
      agentStartedMs = (i + 1) * 20;
    }
  }
  return { report: screening.answeredBy(), agentStartedMs, ended };
}

const hello = () => [...comfortNoiseFrames(300), ...asteriskPrompt('hello'), ...comfortNoiseFrames(2000)];
// With the prompts' own quiet edges, about 320 ms between the words: past the guess (200 ms), short of 500.
const helloThenMachine = () => [
  ...comfortNoiseFrames(300),
  ...asteriskPrompt('hello'),
  ...comfortNoiseFrames(100),
  ...asteriskPrompt('vm-nobodyavail'),
  ...asteriskPrompt('vm-intro'),
];

test('a person saying "hello": answered_by human, and answered_by_guess_ms is when the guess let the agent speak (≤ the decision)', async () => {
  const { report, agentStartedMs } = await play(hello());
  assert.equal(report.answeredBy, 'human');
  assert.ok(report.guessMs !== null && report.decisionMs !== null, JSON.stringify(report));
  assert.equal(report.guessMs, agentStartedMs, 'the moment the agent was let speak');
  assert.ok(report.guessMs <= report.decisionMs, `guess ${report.guessMs} ms ≤ decision ${report.decisionMs} ms`);
  assert.ok(report.guessMs < 300 + 1000, 'within a second of the answer and the word');
});

test('a machine that pauses after "hello," ("… nobody is available"): answered_by machine with the guess time — the machine heard the agent begin', async () => {
  const { report, agentStartedMs, ended } = await play(helloThenMachine());
  assert.deepEqual(ended, ['voicemail']);
  assert.equal(report.answeredBy, 'machine');
  assert.ok(report.guessMs !== null && report.decisionMs !== null, JSON.stringify(report));
  assert.equal(report.guessMs, agentStartedMs);
  assert.ok(report.decisionMs - report.guessMs > 1000, `decided ${report.decisionMs} ms, guessed ${report.guessMs} ms`);
});

test('no guess released the agent → answered_by_guess_ms null: a machine decided at once, the hold ran out first, the call ended before the agent started', async () => {
  const machine = await play([
    ...comfortNoiseFrames(300),
    ...asteriskPrompt('vm-nobodyavail'),
    ...asteriskPrompt('vm-intro'),
  ]);
  assert.deepEqual(
    [machine.report.answeredBy, machine.report.guessMs, machine.agentStartedMs],
    ['machine', null, undefined],
  );

  // The hold (200 ms) let the agent speak before the word: the later guess released nothing.
  const held = await play(hello(), { holdGreetingMs: 200 });
  assert.equal(held.agentStartedMs, 200);
  assert.deepEqual([held.report.answeredBy, held.report.guessMs], ['human', null]);

  // The guess released the screen, but the agent never started (e.g. still prewarming when the machine was decided).
  const neverStarted = await play(helloThenMachine(), { startAgent: false });
  assert.deepEqual([neverStarted.report.answeredBy, neverStarted.report.guessMs], ['machine', null]);
});

test('only the upload STT (STT_BASE_URL) configured: hang_up uploads the greeting and decides on its words; continue uploads nothing', async () => {
  const srv = await startFakeOpenAiSttServer(['You have reached the voicemail of Sam.']);
  const screened = async (action: 'hang_up' | 'continue') => {
    const stt = new OpenAiStt({ baseUrl: srv.baseUrl, model: 'whisper-1' });
    let answered = 0;
    const uploadStt: SttProvider = {
      name: stt.name,
      transcribe: (audio, o) => stt.transcribe(audio, o).finally(() => void answered++),
    };
    const { screening, ended } = screeningOf({ action, holdGreetingMs: 4000, uploadStt });
    const frames = [...comfortNoiseFrames(300), ...asteriskPrompt('vm-nobodyavail'), ...asteriskPrompt('vm-intro')];
    for (const [i, f] of frames.entries()) {
      if (ended.length > 0 || (action === 'continue' && i * 20 > 2000)) break;
      screening.push(f);
      // The first upload falls due at 1 s of audio: its words come back before the next frame, however loaded the machine.
      if ((i + 1) * 20 === 1000 && action === 'hang_up') await until('the upload answered', () => answered === 1);
    }
    screening.close();
    return { ended, report: screening.answeredBy() };
  };
  try {
    const hangUp = await screened('hang_up');
    assert.deepEqual([hangUp.ended, hangUp.report.answeredBy], [['voicemail'], 'machine']);
    assert.equal(srv.uploads.length, 1, 'the first upload decided');
    assert.ok((hangUp.report.decisionMs ?? Infinity) < 2000, `decided at ${hangUp.report.decisionMs} ms`);
    await screened('continue');
    assert.equal(srv.uploads.length, 1, 'continue made no upload');
  } finally {
    await srv.close();
  }
});
