import type { Config, TtsEngineName } from '../config/config';
import { OpenAiLlm, modelForProduct } from './llm/openai-llm';
import type { AgentProviders } from './session-options';
import { OpenAiStt } from './stt/openai-stt';
import { ttsProviderFor } from './tts/tts-providers';
import { fvadFactory } from './vad/fvad-vad';
import { AppError } from '../shared/errors';

/**
 * Builds the providers of one conversation from the parsed config: OpenAI-compatible LLM (model
 * of the product tier) and STT, the TTS engine of the chosen voice, and the WebRTC VAD.
 * Throws `agent_not_configured` when LLM_BASE_URL or STT_BASE_URL is missing.
 */
export function providersFromConfig(
  config: Pick<Config, 'llm' | 'stt' | 'tts'>,
  product: string,
  ttsEngine: TtsEngineName,
): AgentProviders {
  if (!config.llm)
    throw new AppError('agent_not_configured', 'LLM_BASE_URL is not set: the voice agent has no language model.');
  if (!config.stt) throw new AppError('agent_not_configured', 'STT_BASE_URL is not set: the voice agent cannot hear.');
  return {
    llm: new OpenAiLlm({
      baseUrl: config.llm.baseUrl,
      apiKey: config.llm.apiKey,
      model: modelForProduct(config.llm, product),
    }),
    stt: new OpenAiStt({ baseUrl: config.stt.baseUrl, apiKey: config.stt.apiKey, model: config.stt.model }),
    tts: ttsProviderFor(config, ttsEngine),
    vad: fvadFactory(2),
  };
}
