import type { AgentConversationConfig, SpeakOrder } from '../voice/session-options';
import type { AgentTool } from '../voice/tools/agent-tool';
import type { Voice, VoiceCatalog } from '../voice/tts/voice-catalog';
import type { CallRow } from './call-repo';
import { jsonObjectColumn } from '../store/json-columns';

export interface CallConversation {
  config: AgentConversationConfig;
  /** The voice that really speaks (its engine picks the TTS provider). */
  voice: Voice | undefined;
}

/**
 * What the agent of this call is, from the call row: `calls.config` (the resolved agent
 * configuration: prompt, voice, product, tools, plus speak order / hold time when the API or the
 * inbound resolver stored them), `calls.variables` and `calls.max_hold_seconds`.
 */
export function conversationFor(call: CallRow, voices: VoiceCatalog): CallConversation {
  const cfg = jsonObjectColumn(call.config);
  const voiceId = str(cfg.voice) ?? call.voice ?? '';
  const voice = voices.get(voiceId) ?? voices.defaultVoice();
  const defaultOrder: SpeakOrder = 'agent_first';
  const order =
    str(cfg.speak_order) ?? str(call.direction === 'inbound' ? cfg.inbound_speak_order : cfg.outbound_speak_order);
  const maxHold = call.max_hold_seconds ?? num(cfg.max_hold_seconds);
  return {
    voice,
    config: {
      prompt: str(cfg.prompt) ?? '',
      variables: jsonObjectColumn(call.variables) as AgentConversationConfig['variables'],
      voice: voice?.engineVoice ?? voiceId,
      product: str(cfg.product) ?? call.product ?? 'spark',
      tools: Array.isArray(cfg.tools) ? (cfg.tools as AgentTool[]) : [],
      acknowledgementPromptMode: cfg.acknowledgement_prompt_mode === 'manual' ? 'manual' : 'auto',
      acknowledgementPrompt: str(cfg.acknowledgement_prompt) ?? undefined,
      speakOrder: order === 'caller_first' || order === 'agent_first' ? order : defaultOrder,
      maxHoldSeconds: maxHold ?? undefined,
      language: str(cfg.primary_language) ?? voice?.language,
    },
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
