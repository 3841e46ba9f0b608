import { AgentOutput } from './agent-output';
import type { InflightWork } from './inflight-work';
import { ResponseRunner } from './response-runner';
import { DEFAULT_MAX_HOLD_SECONDS, type AgentSessionOptions, type AgentTimings } from './session-options';
import type { SessionTime } from './session-time';
import { ToolCallRunner } from './tool-call-runner';
import type { ConversationLog } from './turn/conversation-log';
import type { ConversationTimers } from './turn/conversation-timers';
import { TurnTaking } from './turn/turn-taking';
import type { TurnMetricsLog } from './turn-metrics-log';

/** The session's shared state its owners are built on (AgentSession keeps it). */
export interface SessionOwnerDeps {
  time: SessionTime;
  log: ConversationLog;
  timers: ConversationTimers;
  metrics: TurnMetricsLog;
  work: InflightWork;
  nextResponseId: () => number;
  onListenerError: (err: unknown) => void;
}

export interface SessionOwners {
  output: AgentOutput;
  tools: ToolCallRunner;
  responses: ResponseRunner;
  turns: TurnTaking;
}

/**
 * Builds one conversation's owners from the session's options: the output (TTS → paced audio),
 * the tool runner, the response runner (LLM rounds) and turn taking, whose barge-in policy sees
 * the agent's floor through the others. AgentSession joins their events (agent-session.ts #wire).
 */
export function createSessionOwners(options: AgentSessionOptions, t: AgentTimings, d: SessionOwnerDeps): SessionOwners {
  const { config, providers, clock } = options;
  const { time, log, onListenerError } = d;
  const output = new AgentOutput({
    tts: providers.tts,
    voice: config.voice,
    leadFrames: t.outputLeadFrames,
    time,
    log,
    onListenerError,
  });
  const tools = new ToolCallRunner({
    tools: config.tools ?? [],
    maxHoldSeconds: config.maxHoldSeconds ?? DEFAULT_MAX_HOLD_SECONDS,
    http: {
      http: options.toolHttp,
      callId: options.callId,
      signingSecret: options.signingSecret,
      timeoutMs: t.toolTimeoutMs,
    },
    log,
    time,
    onListenerError,
  });
  const responses = new ResponseRunner({
    llm: providers.llm,
    maxToolRounds: t.maxToolRounds,
    prepareAudio: t.prepareReplyAudio,
    log,
    output,
    tools,
    metrics: d.metrics,
    work: d.work,
    time,
    nextResponseId: d.nextResponseId,
    onListenerError,
  });
  const turns = new TurnTaking({
    vad: providers.vad,
    stt: providers.stt,
    sttStreaming: providers.sttStreaming,
    language: config.language,
    timings: t,
    clock,
    time,
    timers: options.timers,
    floor: () => ({
      speaking: output.speaking,
      thinking: responses.active,
      onHold: d.timers.onHold,
      askedQuestion: log.lastAssistantText().trimEnd().endsWith('?'),
    }),
    work: d.work,
    onListenerError,
  });
  return { output, tools, responses, turns };
}
