import type { Config, TtsEngineName } from '../config/config';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import {
  type AgentSession,
  createAgentSession,
  providersFromConfig,
  type AgentProviders,
  type AgentTimings,
  type ToolHttpClient,
} from '../voice/index';
import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { CallRow } from './call-repo';
import { conversationFor } from './conversation-config';

export interface AgentFactoryDeps {
  config: Pick<Config, 'llm' | 'stt' | 'tts'> & Partial<Pick<Config, 'sttStreaming' | 'turns'>>;
  voices: VoiceCatalog;
  clock: Clock;
  log: Logger;
  /** The guarded HTTP client in production (ALLOW_PRIVATE_TARGETS applies to tool calls). */
  toolHttp: ToolHttpClient;
  /**
   * The secret that signs the call's tool requests (`X-ThunderPhone-Signature`, API §5.7): the org's
   * webhook secret. Tool requests go unsigned when the org has none.
   */
  signingSecretFor?: (orgId: number) => Promise<string | null>;
  /** Providers override (tests and benchmarks); default: from the configuration. */
  providers?: (product: string, engine: TtsEngineName) => AgentProviders;
  timings?: Partial<AgentTimings>;
}

/** Builds the agent session of a call from its stored configuration. */
export function agentFactory(deps: AgentFactoryDeps): (call: CallRow) => Promise<AgentSession> {
  return async (call) => {
    const conv = conversationFor(call, deps.voices);
    const engine = conv.voice?.engine ?? deps.voices.engine ?? 'embedded';
    const signingSecret = (await deps.signingSecretFor?.(Number(call.org_id))) ?? undefined;
    const turns = deps.config.turns;
    const timings: Partial<AgentTimings> = {
      ...(turns && {
        turnPauseMs: turns.pauseMs,
        turnMinSilenceMs: turns.minSilenceMs,
        turnMaxSilenceMs: turns.maxSilenceMs,
        prepareReplies: turns.prepareReplies,
        prepareReplyAudio: turns.prepareAudio,
        bargeInMinSpeechMs: turns.bargeInMinSpeechMs,
        bargeInMinWords: turns.bargeInMinWords,
        bargeInFilterBackchannels: turns.bargeInFilterBackchannels,
      }),
      ...conv.bargeIn,
      ...deps.timings,
    };
    const providers = deps.providers
      ? deps.providers(conv.config.product, engine)
      : providersFromConfig(deps.config, conv.config.product, engine);
    return createAgentSession({
      config: conv.config,
      providers,
      callId: String(call.id),
      clock: deps.clock,
      log: deps.log.child({ callId: call.id, orgId: call.org_id }),
      toolHttp: deps.toolHttp,
      ...(signingSecret === undefined ? {} : { signingSecret }),
      timings,
    });
  };
}
