import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { errorResponses } from '../wire/common';

const VoiceWire = Type.Object({
  id: Type.String(),
  name: Type.String(),
  language: Type.String(),
  gender: Type.String({ enum: ['male', 'female', 'neutral'] }),
  engine: Type.String({ enum: ['espeak-ng', 'flite', 'embedded', 'openai'] }),
});

export const voiceRoutes: RouteModule = (deps) => async (app) => {
  app.get(
    '/voices',
    {
      schema: {
        tags: ['voices'],
        summary: 'Voices this server can speak with, the default voice first',
        description:
          'Every voice of the TTS engines present (espeak-ng, flite, the embedded engine, and an OpenAI-compatible ' +
          'service when TTS_BASE_URL is set), in this order: (1) the default voice (TTS_VOICE, else the engine ' +
          'default: espeak-ng en-US-Espeak, flite and embedded en-US-Kal, openai en-US-Onyx); (2) the primary ' +
          "language's voices (TTS_PRIMARY_LANGUAGE, default en-US), then those of its base language (en-GB...); " +
          '(3) the rest; within a group the engine that speaks by default first. Last, the ids of the hosted ' +
          'ThunderPhone docs (en-US-James1, en-US-Standard-Journey-D): aliases of the default voice, accepted on ' +
          'every engine. Taking the first voice gives the default voice.',
        response: { 200: Type.Array(VoiceWire), ...errorResponses },
      },
    },
    async () =>
      deps.voices
        .list()
        .map((v) => ({ id: v.id, name: v.name, language: v.language, gender: v.gender, engine: v.engine })),
  );
};
