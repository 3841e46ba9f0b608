/**
 * The narrow shapes the calls module needs from telephony (a SIP leg and its RTP session) and
 * from the voice agent, derived from their exported event maps: payloads are the producers' own
 * types, so the controller and bridge read fields that exist. The real CallLeg / RtpSession /
 * AgentSession satisfy them structurally; tests pass in-memory stand-ins.
 */
import type { CallLegEvents, LegDialogSnapshot, LegEnded, TransferResult } from '../telephony/call/call-leg-types';
import type { AgentSessionEvents, TranscriptTurn, TurnMetrics } from '../voice/index';

export type { LegDtmf, LegEnded, TransferResult } from '../telephony/call/call-leg-types';
export type { AgentAction, ToolCallAudit, TranscriptTurn, TurnMetrics } from '../voice/index';

/** How a SIP leg ended (telephony's closed set; docs/telephony-outcomes.md). */
export type CallOutcome = LegEnded['outcome'];

/** 20 ms of 8 kHz mono PCM (160 samples). */
export type PcmFrame = Int16Array;

export interface MediaEvents {
  audio: (frame: PcmFrame) => void;
  /** A frame that actually went out on RTP (silence included): the agent channel of the recording. */
  sent: (frame: PcmFrame) => void;
}

export interface MediaPort {
  on<K extends keyof MediaEvents>(event: K, listener: MediaEvents[K]): unknown;
  sendAudio(pcm8k: PcmFrame): unknown;
  clearOutgoing(): unknown;
  /** RTP receive statistics so far (the real RtpSession has them; stand-ins may not). */
  readonly stats?: { jitterMs: number; packetsReceived: number; packetsLost: number };
  /** A session in a media worker records itself there (see RecorderPort); others are recorded from their events. */
  record?(path: string): { close(): Promise<RecordingSummary | undefined> };
}

/** A finished recording file. */
export interface RecordingSummary {
  path: string;
  durationMs: number;
  dataBytes: number;
}

/** The leg events the controller listens to. */
export type CallLegPortEvents = Pick<CallLegEvents, 'ringing' | 'answered' | 'dtmf' | 'mediaTimeout' | 'ended'>;

export interface CallLegPort {
  /** Set once media is negotiated (at the latest when the leg is answered). */
  readonly media: MediaPort | undefined;
  on<K extends keyof CallLegPortEvents>(event: K, listener: CallLegPortEvents[K]): unknown;
  hangUp(): Promise<unknown> | unknown;
  transfer(target: string): Promise<TransferResult>;
  sendDtmf(digits: string): Promise<unknown> | unknown;
  /** The confirmed SIP dialog, persisted at answer time (a BYE after a crash); stand-ins may omit it. */
  dialogSnapshot?(): LegDialogSnapshot | undefined;
}

/** The agent events the controller and the media bridge listen to. */
export type AgentSessionPortEvents = Pick<
  AgentSessionEvents,
  'audio' | 'interrupt' | 'action' | 'ended' | 'toolCall' | 'metrics'
>;

export interface AgentSessionPort {
  prewarm(): Promise<unknown>;
  start(): Promise<unknown> | unknown;
  /** Voicemail leave_message: speak this instead of the greeting; resolves after playout. */
  leaveMessage?(text: string): Promise<unknown>;
  pushAudio(frame: PcmFrame): void;
  pushDtmf(digit: string): void;
  on<K extends keyof AgentSessionPortEvents>(event: K, listener: AgentSessionPortEvents[K]): unknown;
  transcript(): TranscriptTurn[];
  stop(): Promise<unknown> | unknown;
}

/**
 * A call's recording (caller left, what was actually sent right). The bridge starts it when audio
 * starts moving; it records the media where it lives (an RTP session in a media worker writes the
 * file itself). close() resolves once the file is complete, undefined when there is none.
 */
export interface RecorderPort {
  start(media: MediaPort): void;
  close(): Promise<RecordingSummary | undefined>;
}

/** The agent's conversation events the realtime WebSocket adds to the phone call's (realtime-bridge.ts). */
export type RealtimeAgentPortEvents = AgentSessionPortEvents &
  Pick<
    AgentSessionEvents,
    'callerSpeech' | 'userTurn' | 'responseStarted' | 'responseText' | 'clientToolCall' | 'responseDone'
  >;

/** An agent session driven by a realtime client: text turns, responses on request, client tools. */
export interface RealtimeAgentPort extends Omit<AgentSessionPort, 'on'> {
  on<K extends keyof RealtimeAgentPortEvents>(event: K, listener: RealtimeAgentPortEvents[K]): unknown;
  readonly nowMs: number;
  addUserText(text: string): void;
  addUserSpeech(audio: Int16Array, startMs: number, endMs: number): Promise<string>;
  respondNow(instructions?: string): void;
  cancelResponse(): void;
  setClientTools(tools: readonly { name: string; description: string; parameters: Record<string, unknown> }[]): void;
  submitToolOutput(callId: string, output: unknown): boolean;
  metrics(): TurnMetrics[];
}
