import type { AgentConversationConfig, AgentTimings, SpeakOrder } from '../voice/session-options';
import type { AgentTool } from '../voice/tools/agent-tool';
import type { Voice, VoiceCatalog } from '../voice/tts/voice-catalog';
import type { CallRow } from './call-repo';
import { jsonObjectColumn } from '../store/json-columns';

export interface CallConversation {
  config: AgentConversationConfig;
  /** The voice that really speaks (its engine picks the TTS provider). */
  voice: Voice | undefined;
  /** The agent's `barge_in` overrides of the platform's barge-in defaults. */
  bargeIn: Partial<Pick<AgentTimings, 'bargeInMinSpeechMs' | 'bargeInMinWords' | 'bargeInFilterBackchannels'>>;
}

/**
 * What the agent of this call is, from the call row: `calls.config` (the resolved agent
 * configuration: prompt, voice, product, tools, plus speak order / hold time when the API or the
 * inbound resolver stored them, and the agent's `barge_in`), `calls.variables` and `calls.max_hold_seconds`.
 */
export function conversationFor(call: CallRow, voices: VoiceCatalog): CallConversation {
  const cfg = jsonObjectColumn(call.config);
  const voiceId = str(cfg.voice) ?? call.voice ?? '';
  const voice = voices.get(voiceId) ?? voices.defaultVoice();
  const defaultOrder: SpeakOrder = 'agent_first';
  const order =
    str(cfg.speak_order) ?? str(call.direction === 'inbound' ? cfg.inbound_speak_order : cfg.outbound_speak_order);
  const maxHold = call.max_hold_seconds ?? num(cfg.max_hold_seconds);
  const barge = jsonObjectValue(cfg.barge_in);
  const minSpeechMs = num(barge.min_speech_ms);
  const minWords = num(barge.min_words);
  return {
    voice,
    bargeIn: {
      ...(minSpeechMs !== null && { bargeInMinSpeechMs: minSpeechMs }),
      ...(minWords !== null && { bargeInMinWords: minWords }),
      ...(typeof barge.filter_backchannels === 'boolean' && { bargeInFilterBackchannels: barge.filter_backchannels }),
    },
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

const jsonObjectValue = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
