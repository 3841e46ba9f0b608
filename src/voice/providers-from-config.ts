import type { Config, TtsEngineName } from '../config/config';
import { OpenAiLlm, modelForProduct } from './llm/openai-llm';
import type { AgentProviders } from './session-options';
import { DeepgramStt } from './stt/deepgram-stt';
import { OpenAiRealtimeStt } from './stt/openai-realtime-stt';
import { OpenAiStt } from './stt/openai-stt';
import type { StreamingSttProvider, SttProvider } from './stt/stt';
import { ttsProviderFor } from './tts/tts-providers';
import { fvadFactory } from './vad/fvad-vad';
import { AppError } from '../shared/errors';

/** The streaming speech to text of STT_STREAMING_PROVIDER, if one is configured. */
export function streamingSttFromConfig(
  config: Partial<Pick<Config, 'sttStreaming'>>,
): StreamingSttProvider | undefined {
  const s = config.sttStreaming;
  if (!s) return undefined;
  if (s.provider === 'deepgram')
    return new DeepgramStt({
      url: s.url,
      apiKey: s.apiKey,
      model: s.model,
      encoding: s.encoding,
      endpointingMs: s.endpointingMs,
      utteranceEndMs: s.utteranceEndMs,
    });
  return new OpenAiRealtimeStt({ url: s.url, apiKey: s.apiKey, model: s.model });
}

/** The per-utterance upload speech to text of STT_BASE_URL, if one is configured. */
export function uploadSttFromConfig(config: Partial<Pick<Config, 'stt'>>): SttProvider | undefined {
  const s = config.stt;
  return s ? new OpenAiStt({ baseUrl: s.baseUrl, apiKey: s.apiKey, model: s.model }) : undefined;
}

/**
 * Builds the providers of one conversation from the parsed config: OpenAI-compatible LLM (model
 * of the product tier), speech to text (streaming when STT_STREAMING_PROVIDER is set, with the
 * STT_BASE_URL upload as its fallback), the TTS engine of the chosen voice, and the WebRTC VAD.
 * Throws `agent_not_configured` when LLM_BASE_URL, or every speech to text, is missing.
 */
export function providersFromConfig(
  config: Pick<Config, 'llm' | 'stt' | 'tts'> & Partial<Pick<Config, 'sttStreaming'>>,
  product: string,
  ttsEngine: TtsEngineName,
): AgentProviders {
  if (!config.llm)
    throw new AppError('agent_not_configured', 'LLM_BASE_URL is not set: the voice agent has no language model.');
  const sttStreaming = streamingSttFromConfig(config);
  if (!config.stt && !sttStreaming)
    throw new AppError('agent_not_configured', 'STT_BASE_URL is not set: the voice agent cannot hear.');
  return {
    llm: new OpenAiLlm({
      baseUrl: config.llm.baseUrl,
      apiKey: config.llm.apiKey,
      model: modelForProduct(config.llm, product),
    }),
    stt: uploadSttFromConfig(config),
    sttStreaming,
    tts: ttsProviderFor(config, ttsEngine),
    vad: fvadFactory(2),
  };
}
