import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { asteriskPrompt, comfortNoiseFrames, silenceFrames } from '../testing/speech-fixtures';
import { Endpointer } from '../turn/endpointer';
import { EnergyVad } from './vad';
import { FvadVad } from './fvad-vad';

describe('VAD and endpointing', () => {
  test('the WebRTC VAD hears a real 8 kHz human prompt and not silence or line noise', async () => {
    const vad = await FvadVad.create(2);
    try {
      const speech = asteriskPrompt('hello-world');
      const voiced = speech.filter((f) => vad.isSpeech(f)).length;
      assert.ok(voiced / speech.length > 0.8, `${voiced}/${speech.length} frames voiced`);
      assert.equal([...silenceFrames(1000), ...comfortNoiseFrames(1000)].filter((f) => vad.isSpeech(f)).length, 0);
      assert.throws(() => vad.isSpeech(new Int16Array(80)), /160-sample/);
    } finally {
      vad.close();
    }
  });

  test('the endpointer reports the start after min speech, counts the silence after it and hands over the audio', () => {
    const ep = new Endpointer({ minSpeechMs: 60, preRollMs: 100, maxUtteranceMs: 10_000 });
    const vad = new EnergyVad(-45);
    const speech = Array.from({ length: 50 }, () =>
      Int16Array.from({ length: 160 }, (_, i) => Math.round(5000 * Math.sin(i / 3))),
    );
    const frames = [...silenceFrames(200), ...speech, ...silenceFrames(400)];
    const starts: number[] = [];
    frames.forEach((f, i) => {
      const e = ep.push(f, vad.isSpeech(f), (i + 1) * 20);
      if (e) starts.push(e.startMs);
    });
    // Speech spans 200..1200 ms; 400 ms of silence follow.
    assert.deepEqual(starts, [200]);
    assert.equal(ep.silenceMs, 400);
    const u = ep.end();
    assert.deepEqual([u.startMs, u.endMs, u.silenceWaitedMs], [200, 1200, 400]);
    const audioMs = (u.audio.length / 8000) * 1000;
    assert.ok(audioMs >= 1000 && audioMs <= 1300, `utterance ${audioMs} ms`);
    assert.equal(ep.inSpeech, false);
  });

  test('a blip shorter than the minimum speech is not a turn', () => {
    const ep = new Endpointer({ minSpeechMs: 100, preRollMs: 100, maxUtteranceMs: 10_000 });
    const events = [true, true, false, false, false].map((s, i) => ep.push(new Int16Array(160), s, (i + 1) * 20));
    assert.deepEqual(events.filter(Boolean), []);
    assert.equal(ep.inSpeech, false);
  });
});
