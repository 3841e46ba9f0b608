import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../../test/support/until';
import { startFakeDeepgramServer } from '../testing/fake-deepgram-server';
import { asteriskPrompt, silenceFrames } from '../testing/speech-fixtures';
import { DeepgramStt } from './deepgram-stt';
import type { SttResult } from './stt';

const provider = (url: string, extra: Partial<ConstructorParameters<typeof DeepgramStt>[0]> = {}): DeepgramStt =>
  new DeepgramStt({
    url,
    apiKey: 'dg-key',
    model: 'nova-3',
    encoding: 'mulaw',
    endpointingMs: 300,
    utteranceEndMs: 1000,
    ...extra,
  });

test('Deepgram live: the audio streams as μ-law with the live parameters; interim results, then the final on Finalize', async () => {
  const dg = await startFakeDeepgramServer({ script: ['Hello, world.'] });
  const stream = provider(dg.url).open({ sampleRateHz: 8000, language: 'en-US' });
  const results: SttResult[] = [];
  let speechStarted = 0;
  stream.on('result', (r) => results.push(r));
  stream.on('speechStarted', () => (speechStarted += 1));
  try {
    const speech = asteriskPrompt('hello-world');
    for (const f of speech) stream.send(f);
    for (const f of silenceFrames(100)) stream.send(f);
    await stream.finalize();
    const conn = dg.connections[0]!;
    const q = Object.fromEntries(conn.query);
    assert.deepEqual(
      [
        q.model,
        q.language,
        q.encoding,
        q.sample_rate,
        q.interim_results,
        q.endpointing,
        q.utterance_end_ms,
        q.vad_events,
      ],
      ['nova-3', 'en-US', 'mulaw', '8000', 'true', '300', '1000', 'true'],
    );
    assert.equal(conn.authorization, 'Token dg-key');
    assert.equal(conn.audioMs, (speech.length + 5) * 20, 'every frame arrived');
    assert.ok(
      results.some((r) => !r.isFinal && r.text !== ''),
      'interim results while the caller talks',
    );
    assert.deepEqual(results.at(-1), { text: 'Hello, world.', isFinal: true, speechFinal: false });
    assert.equal(speechStarted, 1);
    assert.ok(conn.controls.includes('{"type":"Finalize"}'));
  } finally {
    stream.close();
    await until('CloseStream received', () => dg.connections[0]!.controls.includes('{"type":"CloseStream"}'));
    await dg.close();
  }
});

test('Deepgram live: its own endpointing (speech_final) makes the transcript final without Finalize; linear16 works too', async () => {
  const dg = await startFakeDeepgramServer({ script: ['Hello, world.'] });
  const stream = provider(dg.url, { encoding: 'linear16' }).open({ sampleRateHz: 8000 });
  const results: SttResult[] = [];
  stream.on('result', (r) => results.push(r));
  try {
    for (const f of [...asteriskPrompt('hello-world'), ...silenceFrames(400)]) stream.send(f);
    await until('speech_final', () => results.some((r) => r.speechFinal));
    assert.equal(dg.connections[0]!.query.get('encoding'), 'linear16');
    assert.deepEqual(
      results.find((r) => r.isFinal),
      { text: 'Hello, world.', isFinal: true, speechFinal: true },
    );
    await stream.finalize(); // nothing left to finalize: resolves at once
  } finally {
    stream.close();
    await dg.close();
  }
});

test('Deepgram live: a connection dropped mid-utterance reconnects and resends the words not yet final', async () => {
  const dg = await startFakeDeepgramServer({ script: ['I need an appointment.'], dropAfterChunks: 15 });
  const stream = provider(dg.url).open({ sampleRateHz: 8000 });
  const results: SttResult[] = [];
  const errors: Error[] = [];
  stream.on('result', (r) => results.push(r));
  stream.on('error', (e) => errors.push(e));
  try {
    const speech = asteriskPrompt('hello-world');
    for (const f of speech.slice(0, 30)) stream.send(f);
    await until('the drop is noticed', () => errors.length > 0);
    for (const f of speech.slice(30)) stream.send(f);
    await until('reconnected', () => dg.connections.length === 2);
    await stream.finalize();
    assert.equal(errors.length, 1, 'one outage reported');
    assert.equal(dg.connections[1]!.audioMs, speech.length * 20, 'the whole utterance reached the new connection');
    assert.equal(results.filter((r) => r.isFinal).at(-1)?.text, 'I need an appointment.');
  } finally {
    stream.close();
    await dg.close();
  }
});

test('Deepgram live: KeepAlive while no audio is sent (a long agent turn)', async () => {
  const dg = await startFakeDeepgramServer({ script: [''] });
  const stream = provider(dg.url, { keepAliveMs: 50 }).open({ sampleRateHz: 8000 });
  try {
    await until(
      'KeepAlive',
      () => (dg.connections[0]?.controls ?? []).filter((c) => c === '{"type":"KeepAlive"}').length >= 2,
    );
  } finally {
    stream.close();
    await dg.close();
  }
});
