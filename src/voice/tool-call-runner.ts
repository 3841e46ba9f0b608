import { TypedEmitter } from '../shared/typed-emitter';
import type { ChatToolCall, ToolSpec } from './llm/llm';
import type { AgentAction, ToolCallAudit } from './session-events';
import type { SessionTime } from './session-time';
import { BUILTIN_TOOL_NAMES, BUILTIN_TOOL_SPECS, toolSpecOf, type AgentTool } from './tools/agent-tool';
import { dispatchTool, type ToolEffect } from './tools/tool-dispatcher';
import type { HttpToolContext } from './tools/http-tool-runner';
import { OwnerActions } from './tools/owner-actions';
import type { ConversationLog } from './turn/conversation-log';

export interface ToolCallRunnerEvents {
  /** transfer_call and send_dtmf: the owner carries them out and calls `resolve`. */
  action: (action: AgentAction) => void;
  /** One tool run (the call layer reports function tools as `telephony.tool`). */
  audit: (audit: ToolCallAudit) => void;
  /** wait_on_hold: the agent goes silent for at most `maxSeconds`. */
  hold: (maxSeconds: number) => void;
}

export interface ToolCallRunnerOptions {
  /** The agent's HTTP (function) tools; they shadow built-ins of the same name. */
  tools: readonly AgentTool[];
  maxHoldSeconds: number;
  http: HttpToolContext;
  log: ConversationLog;
  time: SessionTime;
  onListenerError: (err: unknown) => void;
}

/**
 * Runs the model's tool calls: HTTP tools with the signed request, built-ins as owner actions
 * (transfer, DTMF) or session effects (hold, end_call); records each call and its result in the
 * conversation and reports its audit.
 */
export class ToolCallRunner extends TypedEmitter<ToolCallRunnerEvents> {
  readonly #o: ToolCallRunnerOptions;
  readonly #httpTools = new Map<string, AgentTool>();
  readonly #actions = new OwnerActions((a) => this.emit('action', a));
  /** The tools offered to the model: the agent's HTTP tools, then the built-ins they do not override. */
  readonly specs: ToolSpec[];

  constructor(options: ToolCallRunnerOptions) {
    super(options.onListenerError);
    this.#o = options;
    for (const t of options.tools) this.#httpTools.set(t.function.name, t);
    this.specs = [
      ...[...this.#httpTools.values()].map(toolSpecOf),
      ...BUILTIN_TOOL_NAMES.filter((n) => !this.#httpTools.has(n)).map((n) => BUILTIN_TOOL_SPECS[n]),
    ];
  }

  /** Runs one tool call; returns its effect on the turn. */
  async run(call: ChatToolCall): Promise<ToolEffect> {
    const { time, log } = this.#o;
    const atMs = time.nowMs;
    const builtins = {
      transfer: (number: string) => this.#actions.request((resolve) => ({ type: 'transfer_call', number, resolve })),
      sendDtmf: (digits: string) => this.#actions.request((resolve) => ({ type: 'send_dtmf', digits, resolve })),
      hold: () => {
        this.emit('hold', this.#o.maxHoldSeconds);
        return this.#o.maxHoldSeconds;
      },
    };
    const { args, outcome, effect, builtin } = await dispatchTool(call, this.#httpTools, builtins, this.#o.http);
    const result = outcome.ok ? outcome.response : { error: outcome.error };
    log.tool(call, args, result, atMs, time.nowMs);
    this.emit('audit', {
      name: call.function.name,
      arguments: args,
      builtin,
      startMs: atMs,
      endMs: time.nowMs,
      ...(outcome.ok ? { response: outcome.response } : { error: outcome.error }),
    });
    return effect;
  }

  /** The session ended: pending owner actions resolve as failed. */
  close(): void {
    this.#actions.close();
  }
}
