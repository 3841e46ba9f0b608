import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWav } from '../../audio/wav';
import { ProviderError } from '../provider-error';
import { startLoopbackServer } from '../testing/loopback-server';
import { OpenAiTts } from './openai-tts';
import { SpawnTts } from './spawn-tts';
import type { TtsProvider } from './tts';

async function speak(
  tts: TtsProvider,
  text: string,
  voice: string,
  signal?: AbortSignal,
): Promise<{ samples: number; chunks: number }> {
  let samples = 0;
  let chunks = 0;
  for await (const c of tts.synthesize(text, { voice, signal })) {
    samples += c.length;
    chunks += 1;
  }
  return { samples, chunks };
}

describe('Text to speech', () => {
  for (const [engine, voice] of [
    ['espeak-ng', 'en-us'],
    ['flite', 'slt'],
  ] as const) {
    test(`${engine} speaks a sentence as 8 kHz audio of a plausible length`, async () => {
      const r = await speak(new SpawnTts({ engine }), 'Your appointment is confirmed for Monday at nine.', voice);
      const seconds = r.samples / 8000;
      assert.ok(seconds > 1.5 && seconds < 6, `${seconds} s`);
    });
  }

  test('text that looks like an option is spoken, not parsed as one', async () => {
    const r = await speak(new SpawnTts({ engine: 'flite' }), '-h --help', 'slt');
    assert.ok(r.samples > 1000);
  });

  test('an unknown engine binary is a ProviderError, and an abort stops synthesis quietly', async () => {
    await assert.rejects(
      speak(new SpawnTts({ engine: 'espeak-ng', command: '/nonexistent/espeak-ng' }), 'Hello.', 'en-us'),
      (e: unknown) => e instanceof ProviderError && e.code === 'tts_engine_failed',
    );
    const ctrl = new AbortController();
    ctrl.abort();
    assert.deepEqual(await speak(new SpawnTts({ engine: 'espeak-ng' }), 'Hello.', 'en-us', ctrl.signal), {
      samples: 0,
      chunks: 0,
    });
  });

  test('OpenAI-compatible /audio/speech: WAV answer streamed and resampled to 8 kHz', async () => {
    const bodies: unknown[] = [];
    const srv = await startLoopbackServer((req, body, res) => {
      bodies.push({ url: req.url, auth: req.headers.authorization, ...JSON.parse(body.toString()) });
      if (JSON.parse(body.toString()).input === 'fail') return void res.writeHead(500).end();
      const wav = encodeWav(new Int16Array(24000), 24000); // 1 s at 24 kHz, like OpenAI
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.write(wav.subarray(0, 30));
      res.end(wav.subarray(30));
    });
    try {
      const tts = new OpenAiTts({ baseUrl: `${srv.url}/v1`, model: 'tts-1', apiKey: 'k' });
      const r = await speak(tts, 'Hello.', 'alloy');
      assert.ok(Math.abs(r.samples - 8000) <= 5, `${r.samples} samples`);
      assert.deepEqual(bodies[0], {
        url: '/v1/audio/speech',
        auth: 'Bearer k',
        model: 'tts-1',
        input: 'Hello.',
        voice: 'alloy',
        response_format: 'wav',
      });
      await assert.rejects(
        speak(tts, 'fail', 'alloy'),
        (e: unknown) => e instanceof ProviderError && e.code === 'provider_status',
      );
    } finally {
      await srv.close();
    }
  });
});
