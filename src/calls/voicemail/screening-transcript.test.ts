import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../../test/support/until';
import { startFakeDeepgramServer } from '../../voice/testing/fake-deepgram-server';
import { asteriskPrompt, silenceFrames } from '../../voice/testing/speech-fixtures';
import { DeepgramStt } from '../../voice/stt/deepgram-stt';
import { ScreeningTranscript } from './screening-transcript';
import { VoicemailScreen } from './voicemail-screen';
import type { AmdDecision } from './answering-machine-detector';

/*
 * The voicemail screen's own speech-to-text stream against a FAKE Deepgram live server (the
 * provider's real protocol, scripted words): Allison's recorded greeting is streamed as on a call.
 */
const deepgram = (url: string): DeepgramStt =>
  new DeepgramStt({
    url,
    apiKey: 'dg-key',
    model: 'nova-3',
    encoding: 'mulaw',
    endpointingMs: 300,
    utteranceEndMs: 1000,
  });

const paced = async (frames: Int16Array[], push: (f: Int16Array) => void): Promise<void> => {
  for (const [i, f] of frames.entries()) {
    push(f);
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, 10));
  }
};

test('the screen hears the words so far: interims grow, finals of each stretch add up; close() ends the stream', async () => {
  const dg = await startFakeDeepgramServer({
    script: ['Nobody is available to take your call at the moment.', 'Please leave your message after the tone.'],
    finalAfterSilenceMs: 200,
  });
  const texts: string[] = [];
  const words = new ScreeningTranscript({ stt: deepgram(dg.url), language: 'en-US', onText: (t) => texts.push(t) });
  try {
    await paced([...asteriskPrompt('vm-nobodyavail'), ...silenceFrames(400), ...asteriskPrompt('vm-intro')], (f) =>
      words.push(f),
    );
    await paced(silenceFrames(400), (f) => words.push(f));
    await until('both stretches transcribed', () => texts.at(-1)?.endsWith('after the tone.') === true);
    assert.ok(texts[0]?.startsWith('Nobody') && texts[0].length < 20, `an interim came first: ${texts[0]}`);
    assert.equal(
      texts.at(-1),
      'Nobody is available to take your call at the moment. Please leave your message after the tone.',
    );
    assert.equal(dg.connections[0]?.query.get('language'), 'en-US');
    words.close();
    await until('CloseStream sent', () => dg.connections[0]?.controls.includes('{"type":"CloseStream"}') === true);
  } finally {
    words.close();
    await dg.close();
  }
});

test('the stream closes itself after maxMs of call audio (a few seconds of streaming per call at most)', async () => {
  const dg = await startFakeDeepgramServer({ script: ['Hello?'] });
  const words = new ScreeningTranscript({ stt: deepgram(dg.url), onText: () => undefined, maxMs: 1000 });
  try {
    await paced(silenceFrames(3000), (f) => words.push(f));
    await until('CloseStream sent', () => dg.connections[0]?.controls.includes('{"type":"CloseStream"}') === true);
    assert.ok((dg.connections[0]?.audioMs ?? 0) <= 1000, `${dg.connections[0]?.audioMs} ms streamed`);
  } finally {
    words.close();
    await dg.close();
  }
});

test('hang_up screen + streaming words: "you have reached the voicemail of" decides machine before the greeting is long', async () => {
  const dg = await startFakeDeepgramServer({ script: ['You have reached the voicemail of Sam.'], interimEveryMs: 100 });
  const decisions: AmdDecision[] = [];
  const screen = new VoicemailScreen({ action: 'hang_up', holdGreetingMs: 4000, onDecision: (d) => decisions.push(d) });
  const words = new ScreeningTranscript({ stt: deepgram(dg.url), onText: (t) => screen.pushTranscript(t) });
  try {
    const greeting = [...silenceFrames(300), ...asteriskPrompt('vm-nobodyavail'), ...silenceFrames(3000)];
    for (const [i, f] of greeting.entries()) {
      if (decisions.length > 0) break;
      screen.push(f);
      words.push(f);
      // Real time for the words to come back: the audio of a call arrives at 20 ms a frame.
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(decisions.length, 1);
    assert.deepEqual([decisions[0]?.answeredBy, decisions[0]?.reason], ['machine', 'transcript']);
  } finally {
    words.close();
    await dg.close();
  }
});
