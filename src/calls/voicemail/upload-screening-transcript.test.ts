import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../../test/support/until';
import { startFakeOpenAiSttServer, type FakeSttReply } from '../../voice/testing/fake-openai-stt-server';
import { asteriskPrompt, comfortNoiseFrames, silenceFrames } from '../../voice/testing/speech-fixtures';
import { OpenAiStt } from '../../voice/stt/openai-stt';
import type { SttProvider } from '../../voice/index';
import { UploadScreeningTranscript } from './upload-screening-transcript';
import { VoicemailScreen } from './voicemail-screen';
import type { AmdDecision } from './answering-machine-detector';

/*
 * The voicemail screen's words from the upload speech-to-text, against a FAKE OpenAI-compatible
 * /v1/audio/transcriptions server (the provider's real HTTP protocol, scripted words): Allison's
 * recorded prompts are pushed as the callee's audio of a call.
 */
const NOBODY = 'Nobody is available to take your call';

/** The upload STT of the stand-in, recording the abort signal of each request and counting those answered. */
function openAi(baseUrl: string, signals: AbortSignal[] = [], answered = { count: 0 }): SttProvider {
  const stt = new OpenAiStt({ baseUrl, model: 'whisper-1' });
  return {
    name: stt.name,
    transcribe: (audio, o) => {
      if (o.signal) signals.push(o.signal);
      return stt.transcribe(audio, o).finally(() => void answered.count++);
    },
  };
}

/** Pushes frames, `realMsPer100` of real time for every 100 ms of audio (a call's pace is 100). */
const paced = async (frames: Int16Array[], push: (f: Int16Array) => void, realMsPer100 = 10): Promise<void> => {
  for (const [i, f] of frames.entries()) {
    push(f);
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, realMsPer100));
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const machineGreeting = (): Int16Array[] => [
  ...comfortNoiseFrames(300),
  ...asteriskPrompt('vm-nobodyavail'),
  ...asteriskPrompt('vm-intro'),
  ...asteriskPrompt('vm-nobodyavail'),
];

test('a machine greeting: its words reach onText, the whole buffer from the answer is uploaded every second, and nothing after 5 s', async () => {
  const srv = await startFakeOpenAiSttServer([NOBODY]);
  const texts: string[] = [];
  const errors: Error[] = [];
  const answered = { count: 0 };
  const words = new UploadScreeningTranscript({
    stt: openAi(srv.baseUrl, [], answered),
    language: 'en-US',
    onText: (t) => texts.push(t),
    onError: (e) => errors.push(e),
  });
  try {
    const greeting = machineGreeting();
    assert.ok(greeting.length * 20 > 6000, 'the greeting goes on past maxMs');
    // Each upload is answered before the audio reaches the next one due (whatever the machine's load).
    let due = 0;
    for (const [i, f] of greeting.entries()) {
      words.push(f);
      if ([1000, 2000, 3000, 4000, 5000].includes((i + 1) * 20))
        await until(`upload ${++due} answered`, () => answered.count === due);
    }
    await sleep(300);
    assert.deepEqual(texts, [NOBODY], 'the same text again is not repeated');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      srv.uploads.map((u) => u.durationMs),
      [1000, 2000, 3000, 4000, 5000],
      'ceil(5000 / 1000) uploads, each of everything from the answer, at most 5 s',
    );
    assert.equal(srv.uploads[0]?.language, 'en');
    const audio = greeting.slice(0, 50).flatMap((f) => [...f]);
    assert.deepEqual([...(srv.uploads[0]?.samples ?? [])], audio, 'the callee audio from the answer');
  } finally {
    words.close();
    await srv.close();
  }
});

test('one upload in flight at most: the one due meanwhile is made when it returns, with the longer buffer', async () => {
  const srv = await startFakeOpenAiSttServer([{ text: 'Nobody is', delayMs: 1000 }, NOBODY]);
  const texts: string[] = [];
  const words = new UploadScreeningTranscript({ stt: openAi(srv.baseUrl), onText: (t) => texts.push(t) });
  try {
    // All the audio at once: the 3000, 4500 and 5000 ms uploads fall due before the first one can be answered.
    for (const f of machineGreeting()) words.push(f);
    await until('the second text', () => texts.length === 2);
    const ms = srv.uploads.map((u) => u.durationMs);
    assert.equal(ms.length, 2, `uploads of ${ms.join(', ')} ms`);
    assert.equal(ms[0], 1000);
    assert.equal(ms[1], 5000, 'made on return, with everything up to maxMs');
    assert.deepEqual(texts, ['Nobody is', NOBODY]);
  } finally {
    words.close();
    await srv.close();
  }
});

test('close() aborts the upload in flight: its words never arrive, no failure is reported, no more uploads', async () => {
  const srv = await startFakeOpenAiSttServer([{ hang: true }]);
  const signals: AbortSignal[] = [];
  const texts: string[] = [];
  const errors: Error[] = [];
  const words = new UploadScreeningTranscript({
    stt: openAi(srv.baseUrl, signals),
    onText: (t) => texts.push(t),
    onError: (e) => errors.push(e),
  });
  try {
    const greeting = machineGreeting();
    await paced(greeting.slice(0, 80), (f) => words.push(f));
    await until('the upload reached the stand-in', () => srv.uploads.length === 1);
    words.close();
    assert.equal(signals[0]?.aborted, true, 'the request was aborted');
    await paced(greeting.slice(80), (f) => words.push(f));
    await sleep(200);
    assert.deepEqual([texts, errors, srv.uploads.length], [[], [], 1]);
  } finally {
    words.close();
    await srv.close();
  }
});

test('silence and a quiet line only: nothing is uploaded at all', async () => {
  const srv = await startFakeOpenAiSttServer(['Hello?']);
  const words = new UploadScreeningTranscript({ stt: openAi(srv.baseUrl), onText: () => undefined });
  try {
    await paced([...silenceFrames(2000), ...comfortNoiseFrames(4000)], (f) => words.push(f));
    await sleep(200);
    assert.equal(srv.uploads.length, 0);
  } finally {
    words.close();
    await srv.close();
  }
});

/** A hang_up screen fed the greeting at a call's pace with the upload transcript as its words; stops at the decision. */
async function screenGreeting(script: FakeSttReply[]) {
  const srv = await startFakeOpenAiSttServer(script);
  const decisions: AmdDecision[] = [];
  const errors: Error[] = [];
  const screen = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 4000, onDecision: (d) => decisions.push(d) });
  const words = new UploadScreeningTranscript({
    stt: openAi(srv.baseUrl),
    onText: (t) => screen.pushTranscript(t),
    onError: (e) => errors.push(e),
  });
  try {
    for (const [i, f] of machineGreeting().entries()) {
      if (decisions.length > 0) break;
      screen.push(f);
      words.push(f);
      // Real time for the words to come back: the audio of a call arrives at 20 ms a frame.
      if (i % 5 === 4) await sleep(100);
    }
    return { decisions, errors, uploads: srv.uploads.length };
  } finally {
    words.close();
    await srv.close();
  }
}

test('hang_up screen + uploaded words: "nobody is available" decides machine on the transcript, before the audio rules would', async () => {
  const audioOnly = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 4000, onDecision: () => undefined });
  for (const f of machineGreeting()) if (!audioOnly.decision) audioOnly.push(f);
  const byAudioMs = audioOnly.decision?.decisionMs ?? Infinity;

  const { decisions, uploads } = await screenGreeting([NOBODY]);
  assert.equal(decisions.length, 1);
  assert.deepEqual([decisions[0]?.answeredBy, decisions[0]?.reason], ['machine', 'transcript']);
  assert.ok((decisions[0]?.decisionMs ?? Infinity) < byAudioMs, `${decisions[0]?.decisionMs} < ${byAudioMs} ms`);
  assert.equal(uploads, 1, 'decided on the first upload');
});

test('a failing provider (HTTP 500): onError, no throw, and the screen still decides machine from the audio', async () => {
  const { decisions, errors, uploads } = await screenGreeting([{ status: 500 }]);
  assert.ok(errors.length >= 1 && uploads >= 1, `${errors.length} errors, ${uploads} uploads`);
  assert.match(errors[0]?.message ?? '', /HTTP 500/);
  assert.equal(decisions.length, 1);
  assert.equal(decisions[0]?.answeredBy, 'machine');
  assert.notEqual(decisions[0]?.reason, 'transcript');
});
