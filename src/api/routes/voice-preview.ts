import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { notFound } from '../../shared/errors';
import { VoicePreviewer } from '../../voice/tts/voice-preview';
import { ErrorBody, errorResponses } from '../wire/common';

/**
 * `GET /v1/voices/{id}/preview`: a short sample of the voice as 8 kHz WAV — what a caller hears —
 * for the console's voice picker. Synthesized once per voice by the same engine calls use, then
 * cached (the last 32 voices).
 */
export const voicePreviewRoutes: RouteModule = (deps) => async (app) => {
  const previewer = new VoicePreviewer(deps.config);

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
      const wav = await previewer.preview(voice);
      return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(wav);
    },
  );
};
