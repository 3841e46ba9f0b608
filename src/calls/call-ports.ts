/**
 * The narrow shapes the calls module needs from telephony (a SIP leg and its RTP session) and
 * from the agent pipeline. The real SipUserAgent leg / RtpSession / agent session satisfy them
 * structurally; keeping them here lets the controller and bridge read as the contract they rely on.
 */

/** 20 ms of 8 kHz mono PCM (160 samples). */
export type PcmFrame = Int16Array;

export interface MediaPort {
  on(event: 'audio', listener: (frame: PcmFrame) => void): unknown;
  /** A frame that actually went out on RTP (silence included): the agent channel of the recording. */
  on(event: 'sent', listener: (frame: PcmFrame) => void): unknown;
  sendAudio(pcm8k: PcmFrame): unknown;
  clearOutgoing(): unknown;
}

export interface LegEnded {
  outcome: string;
  sipStatus?: number | null;
  byRemote?: boolean;
}

export interface CallLegPort {
  /** Set once media is negotiated (at the latest when the leg is answered). */
  readonly media: MediaPort | undefined;
  on(event: 'ringing', listener: () => void): unknown;
  on(event: 'answered', listener: () => void): unknown;
  on(event: 'dtmf', listener: (e: { digit: string }) => void): unknown;
  on(event: 'mediaTimeout', listener: () => void): unknown;
  on(event: 'ended', listener: (ended: LegEnded) => void): unknown;
  hangUp(): Promise<unknown> | unknown;
  transfer(target: string): Promise<{ ok: boolean; sipStatus?: number }>;
  sendDtmf(digits: string): Promise<unknown> | unknown;
}

export type AgentAction =
  | { type: 'end_call'; reason?: string }
  | { type: 'transfer_call'; number: string; resolve: (result: { ok: boolean; error?: string }) => void }
  | { type: 'send_dtmf'; digits: string; resolve: (result: { ok: boolean; error?: string }) => void };

export interface AgentSessionPort {
  prewarm(): Promise<unknown>;
  start(): Promise<unknown> | unknown;
  pushAudio(frame: PcmFrame): void;
  pushDtmf(digit: string): void;
  on(event: 'audio', listener: (frame: PcmFrame) => void): unknown;
  on(event: 'interrupt', listener: () => void): unknown;
  on(event: 'action', listener: (action: AgentAction) => void): unknown;
  on(event: 'ended', listener: (info?: unknown) => void): unknown;
  on(event: 'toolCall', listener: (call: unknown) => void): unknown;
  on(event: 'metrics', listener: (metrics: unknown) => void): unknown;
  transcript(): unknown[];
  stop(): Promise<unknown> | unknown;
}

export interface RecorderPort {
  writeInbound(frame: PcmFrame): void;
  writeOutbound(frame: PcmFrame): void;
  close(): Promise<unknown> | unknown;
}
