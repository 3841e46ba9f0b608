import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAiSttServer } from '../testing/fake-openai-stt-server';
import { fliteSpeech } from '../testing/speech-fixtures';
import { OpenAiStt } from './openai-stt';

test('OpenAI-compatible STT uploads the utterance as an 8 kHz WAV with model and language', async () => {
  const srv = await startFakeOpenAiSttServer(['  Hello world.  ']);
  try {
    const frames = fliteSpeech('Hello world.');
    const audio = new Int16Array(frames.length * 160);
    frames.forEach((f, i) => audio.set(f, i * 160));
    const text = await new OpenAiStt({ baseUrl: srv.baseUrl, model: 'whisper-1' }).transcribe(audio, {
      sampleRateHz: 8000,
      language: 'en-US',
    });
    assert.equal(text, 'Hello world.');
    const up = srv.uploads[0]!;
    assert.deepEqual([up.model, up.language, up.sampleRateHz], ['whisper-1', 'en', 8000]);
    assert.deepEqual(up.samples, audio, 'the exact samples arrived');
  } finally {
    await srv.close();
  }
});
