import type { ChatToolCall, LlmProvider, ToolSpec } from './llm/llm';
import type { Pipeline } from './pipeline/pipeline';
import type { ToolEffect } from './tools/tool-dispatcher';
import type { ConversationLog } from './turn/conversation-log';
import type { TurnLatency } from './turn/turn-latency';

/** One LLM response in flight (its rounds share the abort signal). */
export interface ActiveResponse {
  id: number;
  abort: AbortController;
  startedMs: number;
  hasText: boolean;
  acked: boolean;
  latency: TurnLatency | undefined;
  /** The LLM round being generated. */
  roundId?: number;
}

/** What a response needs from the session. */
export interface ResponseHost {
  readonly llm: LlmProvider;
  readonly maxToolRounds: number;
  readonly log: ConversationLog;
  readonly pipeline: Pipeline;
  readonly tools: ToolSpec[];
  /** Opens a spoken round; returns its id. */
  newRound(): number;
  /** Remembers which caller turn's latency the round's first audio completes. */
  trackLatency(roundId: number, latency: TurnLatency): void;
  /** The model spoke: leave the hold state. */
  clearHold(): void;
  /** A round went through: reset the consecutive failure count. */
  succeeded(): void;
  runTool(call: ChatToolCall): Promise<ToolEffect>;
  /** end_call: hang up once the goodbye has been played. */
  endCallAfterSpeech(): void;
  isEnded(): boolean;
  /** The LLM failed (not by our abort). */
  failed(err: unknown): void;
}

/**
 * Streams the model's answer into the output pipeline, round by round: text goes out as it comes,
 * tool calls run after the round, and the next round sees their results (up to maxToolRounds).
 * `instruction` adds a one-off system message to the first round.
 */
export async function runResponse(h: ResponseHost, r: ActiveResponse, instruction: string | undefined): Promise<void> {
  try {
    for (let round = 0; round < h.maxToolRounds; round++) {
      const roundId = h.newRound();
      r.roundId = roundId;
      if (r.latency && !r.latency.done) h.trackLatency(roundId, r.latency);
      let text = '';
      const calls: ChatToolCall[] = [];
      const messages =
        instruction && round === 0
          ? [...h.log.messages, { role: 'system' as const, content: instruction }]
          : h.log.messages;
      for await (const ev of h.llm.stream({ messages, tools: h.tools, signal: r.abort.signal })) {
        if (r.abort.signal.aborted) return;
        if (ev.type === 'text') {
          r.latency?.llmFirstToken();
          r.hasText = true;
          h.clearHold();
          text += ev.text;
          h.pipeline.push({ type: 'text', responseId: roundId, text: ev.text });
        } else if (ev.type === 'tool_call') calls.push(ev.call);
      }
      if (r.abort.signal.aborted) return;
      h.pipeline.push({ type: 'flush', responseId: roundId });
      h.log.assistant(roundId, text, calls);
      h.succeeded();
      if (calls.length === 0) return;
      let effect: ToolEffect = 'continue';
      for (const call of calls) {
        const e = await h.runTool(call);
        if (e !== 'continue') effect = e;
      }
      if (r.abort.signal.aborted) return;
      if (effect === 'end_call') return h.endCallAfterSpeech();
      if (effect === 'hold') return;
    }
  } catch (err) {
    if (r.abort.signal.aborted || h.isEnded()) return;
    h.failed(err);
  }
}
