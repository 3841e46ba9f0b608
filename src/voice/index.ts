/**
 * The voice agent: audio frames and text in, audio frames and actions out. Knows nothing of SIP
 * or RTP; src/calls/ joins it to a phone line.
 *
 *   const session = createAgentSession({
 *     config: { prompt, variables?, voice (engine voice name), product, tools?, speakOrder,
 *               acknowledgementPromptMode?, acknowledgementPrompt?, maxHoldSeconds?, language? },
 *     providers: providersFromConfig(config, product, voice.engine),   // { stt, llm, tts, vad }
 *     callId, clock, log, toolHttp, signingSecret?, timings?: Partial<AgentTimings>, timers? });
 *   await session.prewarm();   // while ringing: loads the VAD, generates the greeting (agent_first)
 *   await session.start();     // on answer: audio flows; the greeting plays at once
 *   session.pushAudio(frame);  // caller audio, Int16Array of 160 samples (8 kHz, 20 ms)
 *   session.pushDtmf('1');     // received keypad digit; reaches the model as text
 *   session.on('audio', (frame) => rtp.send(frame));   // 20 ms 8 kHz frames, paced in real time
 *   session.on('interrupt', () => rtp.clearOutgoing()); // barge-in: drop queued audio NOW
 *   session.on('action', (a) => …);  // { type: 'end_call' } (after the goodbye has played)
 *                                    // | { type: 'transfer_call', number, resolve({ ok, error? }) }
 *                                    // | { type: 'send_dtmf', digits, resolve({ ok, error? }) }
 *   session.on('toolCall', (t) => …);   // { name, arguments, response | error, builtin, startMs, endMs }
 *   session.on('ended', ({ reason }) => …); // 'timeout' (silence / hold) | 'error' (failures)
 *   session.on('metrics', (m) => …);    // TurnMetrics per answered caller turn
 *   session.on('error', (e) => …);      // provider failure reports (non-fatal unless e.fatal)
 *   session.transcript();  // TranscriptTurn[] exactly as thunderphone-api.md §4.4
 *   await session.stop();  // idempotent; transcript() stays readable
 *
 * Every `resolve` of an action must be called by the owner (the model waits for it).
 */
import { AgentSession } from './agent-session';
import type { AgentSessionOptions } from './session-options';

export function createAgentSession(options: AgentSessionOptions): AgentSession {
  return new AgentSession(options);
}

export { AgentSession } from './agent-session';
export type {
  AgentSessionOptions,
  AgentConversationConfig,
  AgentProviders,
  AgentTimings,
  SpeakOrder,
} from './session-options';
export { DEFAULT_TIMINGS, DEFAULT_MAX_HOLD_SECONDS } from './session-options';
export type {
  AgentAction,
  AgentSessionEvents,
  EndReason,
  ToolCallAudit,
  TranscriptTurn,
  TurnMetrics,
} from './session-events';
export type { AgentTool } from './tools/agent-tool';
export { fetchToolHttpClient, type ToolHttpClient, type ToolHttpRequest } from './tools/tool-http-client';
export { providersFromConfig, streamingSttFromConfig, uploadSttFromConfig } from './providers-from-config';
export type { StreamingSttProvider, SttProvider, SttResult, SttStream } from './stt/stt';
