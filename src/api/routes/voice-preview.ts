import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { AppError, notFound } from '../../shared/errors';
import { SpawnTts } from '../../voice/tts/spawn-tts';
import { OpenAiTts } from '../../voice/tts/openai-tts';
import type { TtsProvider } from '../../voice/tts/tts';
import { encodeWav } from '../../voice/audio/wav';
import { ErrorBody, errorResponses } from '../wire/common';

const CACHE_SIZE = 32;
const MAX_PREVIEW_SAMPLES = 8000 * 15;

/**
 * `GET /v1/voices/{id}/preview`: a short sample of the voice as 8 kHz WAV — what a caller hears —
 * for the console's voice picker. Synthesized once per voice by the same engine calls use, then
 * cached (the last 32 voices).
 */
export const voicePreviewRoutes: RouteModule = (deps) => async (app) => {
  const cache = new Map<string, Buffer>();
  const engines = new Map<string, TtsProvider>();
  const ttsFor = (engine: string): TtsProvider => {
    let tts = engines.get(engine);
    if (tts) return tts;
    if (engine === 'openai') {
      const o = deps.config.tts.openai;
      if (!o) throw new AppError('unavailable', 'agent_not_configured', 'TTS_BASE_URL is not set.');
      tts = new OpenAiTts({ baseUrl: o.baseUrl, apiKey: o.apiKey, model: o.model });
    } else tts = new SpawnTts({ engine: engine === 'flite' ? 'flite' : 'espeak-ng', timeoutMs: 10_000 });
    engines.set(engine, tts);
    return tts;
  };

  app.get(
    '/voices/:id/preview',
    {
      schema: {
        tags: ['voices'],
        summary: 'A few seconds of this voice (audio/wav, 8 kHz mono: what callers hear)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: {
          200: Type.Unknown({ description: 'audio/wav' }),
          ...errorResponses,
          502: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const voice = deps.voices.get(req.params.id);
      if (!voice) throw notFound('Voice', 'voice_not_found');
      let wav = cache.get(voice.id);
      if (!wav) {
        const chunks: Int16Array[] = [];
        let total = 0;
        const text = `Hello, thanks for calling. This is ${voice.name.replace(/[^\p{L}\p{N} ]/gu, ' ')}.`;
        for await (const chunk of ttsFor(voice.engine).synthesize(text, { voice: voice.engineVoice })) {
          chunks.push(chunk);
          total += chunk.length;
          if (total >= MAX_PREVIEW_SAMPLES) break;
        }
        const pcm = new Int16Array(Math.min(total, MAX_PREVIEW_SAMPLES));
        let at = 0;
        for (const c of chunks) {
          const part = c.subarray(0, pcm.length - at);
          pcm.set(part, at);
          at += part.length;
        }
        wav = encodeWav(pcm, 8000);
        cache.set(voice.id, wav);
        if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(wav);
    },
  );
};
