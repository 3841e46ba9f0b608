import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../../test/support/until';
import { startFakeOpenAiRealtimeSttServer } from '../testing/fake-openai-realtime-stt-server';
import { asteriskPrompt, silenceFrames } from '../testing/speech-fixtures';
import { OpenAiRealtimeStt } from './openai-realtime-stt';
import type { SttResult } from './stt';

test('OpenAI Realtime transcription: session update (μ-law, no server VAD), appends, commit at the pause → deltas and completed', async () => {
  const srv = await startFakeOpenAiRealtimeSttServer({ script: ['Hello, world.'] });
  const stream = new OpenAiRealtimeStt({ url: srv.url, apiKey: 'sk-rt', model: 'gpt-4o-transcribe' }).open({
    sampleRateHz: 8000,
    language: 'en-US',
  });
  const results: SttResult[] = [];
  stream.on('result', (r) => results.push(r));
  try {
    const speech = asteriskPrompt('hello-world');
    for (const f of [...speech, ...silenceFrames(100)]) stream.send(f);
    await stream.finalize();
    const conn = srv.connections[0]!;
    assert.match(conn.url, /^\/v1\/realtime\?intent=transcription$/);
    assert.equal(conn.authorization, 'Bearer sk-rt');
    assert.equal(conn.beta, 'realtime=v1');
    assert.deepEqual(conn.session, {
      input_audio_format: 'g711_ulaw',
      input_audio_transcription: { model: 'gpt-4o-transcribe', language: 'en' },
      turn_detection: null,
    });
    assert.equal(conn.audioMs, (speech.length + 5) * 20);
    assert.ok(
      results.some((r) => !r.isFinal && r.text === 'Hello,'),
      'deltas arrive as interim text',
    );
    assert.deepEqual(results.at(-1), { text: 'Hello, world.', isFinal: true, speechFinal: true });
    await stream.finalize(); // nothing new: resolves at once, no second commit
    assert.equal(conn.commits, 1);
  } finally {
    stream.close();
    await srv.close();
  }
});

test('OpenAI Realtime transcription: a dropped connection resends the uncommitted audio and commits again', async () => {
  const srv = await startFakeOpenAiRealtimeSttServer({ script: ['I need an appointment.'], dropAfterAppends: 20 });
  const stream = new OpenAiRealtimeStt({ url: srv.url, model: 'whisper-1' }).open({ sampleRateHz: 8000 });
  const results: SttResult[] = [];
  let errors = 0;
  stream.on('result', (r) => results.push(r));
  stream.on('error', () => (errors += 1));
  try {
    const speech = asteriskPrompt('hello-world');
    for (const f of speech.slice(0, 25)) stream.send(f);
    await until('the drop is noticed', () => errors > 0);
    for (const f of speech.slice(25)) stream.send(f);
    const done = stream.finalize();
    await until('reconnected', () => srv.connections.length === 2);
    await done;
    assert.equal(srv.connections[1]!.audioMs, speech.length * 20, 'the whole utterance reached the new connection');
    assert.equal(results.filter((r) => r.isFinal).at(-1)?.text, 'I need an appointment.');
  } finally {
    stream.close();
    await srv.close();
  }
});
