import type { Config, TtsEngineName } from '../../config/config';
import { AppError } from '../../shared/errors';
import { EmbeddedTts } from './embedded-tts';
import { OpenAiTts } from './openai-tts';
import { SpawnTts } from './spawn-tts';
import type { TtsProvider } from './tts';

/** The TtsProvider of `engine` (a voice's engine: VoiceCatalog entries say which). */
export function ttsProviderFor(config: Pick<Config, 'tts'>, engine: TtsEngineName): TtsProvider {
  switch (engine) {
    case 'openai': {
      const o = config.tts.openai;
      if (!o) throw new AppError('agent_not_configured', 'TTS_BASE_URL is not set: OpenAI voices are unavailable.');
      return new OpenAiTts({ baseUrl: o.baseUrl, apiKey: o.apiKey, model: o.model });
    }
    case 'embedded':
      return new EmbeddedTts();
    case 'espeak-ng':
    case 'flite':
      return new SpawnTts({ engine });
  }
}
