import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../route-module';
import { errorResponses } from '../wire/common';

const VoiceWire = Type.Object({
  id: Type.String(),
  name: Type.String(),
  language: Type.String(),
  gender: Type.String({ enum: ['male', 'female', 'neutral'] }),
  engine: Type.String({ enum: ['espeak-ng', 'flite', 'openai'] }),
});

export const voiceRoutes: RouteModule = (deps) => async (app) => {
  app.get(
    '/voices',
    {
      schema: {
        tags: ['voices'],
        summary:
          'Voices of the installed/configured TTS engines (configured engine first; en-US-James1 is an alias of the default voice)',
        response: { 200: Type.Array(VoiceWire), ...errorResponses },
      },
    },
    async () =>
      deps.voices
        .list()
        .map((v) => ({ id: v.id, name: v.name, language: v.language, gender: v.gender, engine: v.engine })),
  );
};
