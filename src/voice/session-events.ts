/** End reasons the session reports (thunderphone-api.md §4.3). end_call is an action, not an end. */
export type EndReason = 'timeout' | 'error';

export type AgentAction =
  | { type: 'end_call'; reason: 'agent_end' }
  | { type: 'transfer_call'; number: string; resolve: (result: { ok: boolean; error?: string }) => void }
  | { type: 'send_dtmf'; digits: string; resolve: (result: { ok: boolean; error?: string }) => void };

/** One transcript turn, exactly the wire shape of thunderphone-api.md §4.4. */
export type TranscriptTurn =
  | { role: 'user' | 'assistant'; content_type: 'text/plain'; content: string; start_ms: number; end_ms: number }
  | {
      role: 'tool_call';
      content_type: 'application/json';
      content: { name: string; arguments: unknown };
      start_ms: number;
      end_ms: number;
    }
  | { role: 'tool_response'; content_type: 'application/json'; content: unknown; start_ms: number; end_ms: number };

/** Audit record of one tool invocation (the call layer turns it into `telephony.tool`). */
export interface ToolCallAudit {
  name: string;
  arguments: unknown;
  response?: unknown;
  error?: string;
  builtin: boolean;
  startMs: number;
  endMs: number;
}

/**
 * Latency of one caller turn: end of caller speech → first agent audio, split up. `endpointingMs`
 * is the silence waited (session time); the others are measured on the monotonic clock from the
 * end-of-turn decision: STT done, then LLM first token, then first TTS audio.
 */
export interface TurnMetrics {
  turn: number;
  endpointingMs: number;
  sttMs: number;
  llmFirstTokenMs: number | null;
  ttsFirstAudioMs: number | null;
  /** End-of-turn decision → first agent audio frame (the pipeline's own added latency). */
  firstAudioMs: number | null;
  /** endpointingMs + firstAudioMs. */
  totalMs: number | null;
  /** Session ms of the answer's first audio frame: its assistant transcript turn's start_ms (GET …/history). */
  agentStartMs?: number;
}

export interface AgentSessionEvents {
  /** 20 ms of 8 kHz mono agent audio, paced in real time (with a small lead). */
  audio: (frame: Int16Array) => void;
  /** Barge-in: drop every queued outgoing frame now. */
  interrupt: () => void;
  action: (action: AgentAction) => void;
  toolCall: (call: ToolCallAudit) => void;
  /** The conversation ended on its own (silence or hold timeout, repeated failures). */
  ended: (info: { reason: EndReason }) => void;
  metrics: (metrics: TurnMetrics) => void;
  /** A provider failed; the call goes on unless `fatal`. */
  error: (info: { source: string; error: Error; fatal: boolean }) => void;
  // ---- the conversation as a sequence of items (the realtime WebSocket's view; calls may ignore it)
  /**
   * Turn detection heard the caller start / stop speaking (session ms). While the agent speaks,
   * 'started' waits for the barge-in policy's interrupt; a backchannel it talked on through has no pair.
   */
  callerSpeech: (info: {
    state: 'started' | 'stopped';
    /** Session ms where the speech started / stopped (now − agoMs). */
    atMs: number;
    /** How much caller audio ago (ms of frames): a held utterance is announced once it interrupts, a stop after the silence waited. */
    agoMs: number;
  }) => void;
  /** A caller turn entered the conversation: transcribed speech, or text the owner added. */
  userTurn: (turn: { text: string; startMs: number; endMs: number; source: 'speech' | 'text' }) => void;
  /** An answer (or a fixed line such as a fallback) started. */
  responseStarted: (responseId: number) => void;
  /** Text of the answer as it is generated (what the agent is about to say). */
  responseText: (responseId: number, delta: string) => void;
  /** The model called a tool that the owner declared (setClientTools): answer with submitToolOutput. */
  clientToolCall: (responseId: number, call: { callId: string; name: string; arguments: string }) => void;
  /**
   * The answer is over: `completed` once its audio has been played, `cancelled` at a barge-in or
   * cancelResponse (its text was cut to what was played), `failed` when the LLM failed.
   */
  responseDone: (responseId: number, status: 'completed' | 'cancelled' | 'failed') => void;
}
