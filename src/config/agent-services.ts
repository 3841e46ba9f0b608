import type { Config } from './config';

/**
 * Whether the voice agent's paid services are configured. Every call needs an LLM and a
 * speech-to-text endpoint (TTS always has a local engine; TTS_ENGINE=openai without
 * TTS_BASE_URL already stops the start). Used by POST /v1/call (503 `agent_not_configured`),
 * inbound INVITEs (SIP 503) and GET /v1/healthz (`checks.llm`, `checks.stt`).
 */
export interface ServiceCheck {
  status: 'ok' | 'down';
  /** What the operator must configure (null while ok). */
  reason: string | null;
}

export function agentServiceChecks(config: Pick<Config, 'llm' | 'stt'>): { llm: ServiceCheck; stt: ServiceCheck } {
  return {
    llm: config.llm
      ? { status: 'ok', reason: null }
      : {
          status: 'down',
          reason: 'LLM_BASE_URL is not set (with LLM_MODEL): the voice agent has no language model.',
        },
    stt: config.stt
      ? { status: 'ok', reason: null }
      : { status: 'down', reason: 'STT_BASE_URL is not set: the voice agent cannot hear the caller.' },
  };
}

/** One sentence naming what is missing, or null when calls can run. */
export function missingAgentServices(config: Pick<Config, 'llm' | 'stt'>): string | null {
  const missing = [config.llm ? null : 'LLM_BASE_URL (and LLM_MODEL)', config.stt ? null : 'STT_BASE_URL'].filter(
    (m): m is string => m !== null,
  );
  if (missing.length === 0) return null;
  return (
    `This server cannot run calls: the operator must set ${missing.join(' and ')} to OpenAI-compatible ` +
    'services (see README "Configuration") and restart it.'
  );
}
