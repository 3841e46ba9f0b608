/**
 * Seam for "Talk to this agent" (issue 11, the /v1/realtime WebSocket): TalkPanel depends only on
 * this interface. The implementation will capture the microphone (getUserMedia → 16-bit PCM),
 * stream it over the WebSocket, play the agent's audio, and report transcript events. Until the
 * server has /v1/realtime (session.features.realtime), `createRealtimeClient` returns undefined and
 * the panel says so.
 */
export interface TalkTranscriptEvent {
  role: 'user' | 'assistant';
  text: string;
  /** False while the turn is still being spoken/recognized. */
  final: boolean;
}

export interface TalkSession {
  hangUp(): void;
}

export interface RealtimeClient {
  talk(
    agentId: number,
    handlers: {
      onState: (state: 'connecting' | 'listening' | 'speaking' | 'ended' | 'error', detail?: string) => void;
      onTranscript: (event: TalkTranscriptEvent) => void;
    },
  ): Promise<TalkSession>;
}

export function createRealtimeClient(features: { realtime: boolean }): RealtimeClient | undefined {
  if (!features.realtime) return undefined;
  // Filled in with issue 11: new WebSocket(`/v1/realtime?agent_id=...`) with the session cookie.
  return undefined;
}
