import type { Config } from './config';

/**
 * Whether the voice agent's paid services are configured. Every call needs an LLM and a
 * speech-to-text endpoint (TTS always has a local engine). Used by POST /v1/call (503
 * `agent_not_configured`) and inbound INVITEs (SIP 503); GET /v1/healthz says the same in
 * `checks.llm` / `checks.stt` (ops/readiness.ts).
 */
/** One sentence naming what is missing, or null when calls can run. */
export function missingAgentServices(
  config: Pick<Config, 'llm' | 'stt'> & Partial<Pick<Config, 'sttStreaming'>>,
): string | null {
  const hears = config.stt !== undefined || config.sttStreaming !== undefined;
  const missing = [config.llm ? null : 'LLM_BASE_URL (and LLM_MODEL)', hears ? null : 'STT_BASE_URL'].filter(
    (m): m is string => m !== null,
  );
  if (missing.length === 0) return null;
  return (
    `This server cannot run calls: the operator must set ${missing.join(' and ')} to OpenAI-compatible ` +
    'services (see README "Configuration") and restart it.'
  );
}
