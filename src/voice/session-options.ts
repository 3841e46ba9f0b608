import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { Timers } from '../shared/timers';
import type { LlmProvider } from './llm/llm';
import type { StreamingSttProvider, SttProvider } from './stt/stt';
import type { AgentTool } from './tools/agent-tool';
import type { ToolHttpClient } from './tools/tool-http-client';
import type { TtsProvider } from './tts/tts';
import type { VadFactory, VadProvider } from './vad/vad';

export type SpeakOrder = 'agent_first' | 'caller_first';

/** What the agent is (the call's agent configuration, resolved by the call layer). */
export interface AgentConversationConfig {
  /** System prompt; `{{name}}` placeholders are filled from `variables`. */
  prompt: string;
  variables?: Record<string, string | number | boolean | null> | undefined;
  /** The TTS engine's own voice name (resolve public ids through tts/voice-catalog.ts). */
  voice: string;
  /** spark | bolt | storm-base | storm-*-with-ack … (`*-with-ack` enables acknowledgements). */
  product: string;
  tools?: AgentTool[] | undefined;
  acknowledgementPromptMode?: 'auto' | 'manual' | undefined;
  acknowledgementPrompt?: string | undefined;
  speakOrder: SpeakOrder;
  maxHoldSeconds?: number | undefined;
  /** BCP-47, e.g. `en-US`; passed to STT as a hint. */
  language?: string | undefined;
}

export interface AgentProviders {
  /** Per-utterance upload: the only speech to text without `sttStreaming`, else its fallback. */
  stt?: SttProvider | undefined;
  /** Streaming speech to text: audio out frame by frame while the caller talks. */
  sttStreaming?: StreamingSttProvider | undefined;
  llm: LlmProvider;
  tts: TtsProvider;
  /** A detector, or a factory run by prewarm() (fvad needs an async WASM load). */
  vad: VadProvider | VadFactory;
}

/** Turn-taking timings, all in ms of session (call) time. */
export interface AgentTimings {
  /**
   * Silence after speech that ends the caller's turn when the words read neither as finished nor
   * as unfinished; a finished sentence waits `turnMinSilenceMs`, unfinished words `turnMaxSilenceMs`.
   */
  endOfTurnSilenceMs: number;
  turnMinSilenceMs: number;
  turnMaxSilenceMs: number;
  /** A pause this long asks STT for the final words (streaming finalize, or an early upload). */
  turnPauseMs: number;
  /** A pause this long starts preparing the reply on the interim words (streaming). */
  turnPrepareAfterMs: number;
  /** Start the reply during the end-of-turn wait (kept only when the final words match). */
  prepareReplies: boolean;
  /** Also synthesize a prepared reply's first clause during the wait (played only if it is adopted). */
  prepareReplyAudio: boolean;
  /**
   * While the agent speaks, the caller interrupts it after this much voiced speech, or once
   * their interim words are `bargeInMinWords` or more and not all backchannel words ("uh-huh",
   * "okay"); a backchannel alone never interrupts and is no turn (turn/barge-in-policy.ts).
   */
  bargeInMinSpeechMs: number;
  bargeInMinWords: number;
  /** False: any caller speech (`minSpeechMs`) stops the agent at once, backchannels included. */
  bargeInFilterBackchannels: boolean;
  /** Speech needed before it counts as the caller talking (and, unfiltered, barges in). */
  minSpeechMs: number;
  preRollMs: number;
  maxUtteranceMs: number;
  /** No speech from either side for this long ends the call with `timeout` (0 = never). */
  silenceTimeoutMs: number;
  /** The agent prompts a silent caller after this long (0 = never); once per silence. */
  nudgeAfterMs: number;
  /** `*-with-ack` products speak the acknowledgement when the answer's audio is this late. */
  ackAfterMs: number;
  /** Collected keypad digits are handed to the model after this pause (or at `#`). */
  dtmfGapMs: number;
  /** Frames handed to the owner ahead of playback. */
  outputLeadFrames: number;
  sttTimeoutMs: number;
  toolTimeoutMs: number;
  /** Max tool rounds per caller turn. */
  maxToolRounds: number;
  /** Consecutive failed turns before the conversation ends with `error`. */
  maxConsecutiveFailures: number;
}

export const DEFAULT_TIMINGS: AgentTimings = {
  endOfTurnSilenceMs: 600,
  turnMinSilenceMs: 300,
  turnMaxSilenceMs: 1500,
  turnPauseMs: 120,
  turnPrepareAfterMs: 20,
  prepareReplies: true,
  prepareReplyAudio: true,
  bargeInMinSpeechMs: 700,
  bargeInMinWords: 2,
  bargeInFilterBackchannels: true,
  minSpeechMs: 60,
  preRollMs: 200,
  maxUtteranceMs: 30_000,
  silenceTimeoutMs: 30_000,
  nudgeAfterMs: 8_000,
  ackAfterMs: 800,
  dtmfGapMs: 1_500,
  outputLeadFrames: 3,
  sttTimeoutMs: 10_000,
  toolTimeoutMs: 10_000,
  maxToolRounds: 5,
  maxConsecutiveFailures: 3,
};

export const DEFAULT_MAX_HOLD_SECONDS = 300;

export interface AgentSessionOptions {
  config: AgentConversationConfig;
  providers: AgentProviders;
  /** Sent as X-ThunderPhone-Call-ID to tools. */
  callId: string;
  clock: Clock;
  log: Logger;
  /** Tool HTTP client (the guarded one in production). */
  toolHttp: ToolHttpClient;
  /** Signs tool requests (X-ThunderPhone-Signature); unsigned without it. */
  signingSecret?: string | undefined;
  timings?: Partial<AgentTimings> | undefined;
  /** Drive the 20 ms ticker (default: real timers). Tests pass FakeTimers, advanced with a FakeClock. */
  timers?: Timers | undefined;
}
