import { TypedEmitter } from '../shared/typed-emitter';
import type { ChatToolCall, ToolSpec } from './llm/llm';
import type { AgentAction, ToolCallAudit } from './session-events';
import type { SessionTime } from './session-time';
import { BUILTIN_TOOL_NAMES, BUILTIN_TOOL_SPECS, toolSpecOf, type AgentTool } from './tools/agent-tool';
import { dispatchTool, type ToolEffect } from './tools/tool-dispatcher';
import type { HttpToolContext, ToolOutcome } from './tools/http-tool-runner';
import { OwnerActions } from './tools/owner-actions';
import type { ConversationLog } from './turn/conversation-log';

export interface ToolCallRunnerEvents {
  /** transfer_call and send_dtmf: the owner carries them out and calls `resolve`. */
  action: (action: AgentAction) => void;
  /** One tool run (the call layer reports function tools as `telephony.tool`). */
  audit: (audit: ToolCallAudit) => void;
  /** wait_on_hold: the agent goes silent for at most `maxSeconds`. */
  hold: (maxSeconds: number) => void;
  /** A tool of the realtime client: it runs it and answers with `submitClientOutput`. */
  clientCall: (call: ClientToolCall) => void;
}

/** A call of a client-declared tool, waiting for the client's output. */
export interface ClientToolCall {
  callId: string;
  name: string;
  /** The model's arguments, as the JSON text it wrote. */
  arguments: string;
}

const NO_CLIENT_OUTPUT = { error: 'The client sent no output for this function call.' };

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
  readonly #ownSpecs: ToolSpec[];
  /** Tools the realtime client declared (it runs them); by name. */
  readonly #clientTools = new Map<string, ToolSpec>();
  /** Client tool calls without output yet: call id → call and start time. */
  readonly #pendingClient = new Map<string, { call: ChatToolCall; args: unknown; atMs: number }>();

  constructor(options: ToolCallRunnerOptions) {
    super(options.onListenerError);
    this.#o = options;
    for (const t of options.tools) this.#httpTools.set(t.function.name, t);
    this.#ownSpecs = [
      ...[...this.#httpTools.values()].map(toolSpecOf),
      ...BUILTIN_TOOL_NAMES.filter((n) => !this.#httpTools.has(n)).map((n) => BUILTIN_TOOL_SPECS[n]),
    ];
  }

  /** The tools offered to the model: the agent's HTTP tools, the built-ins they do not override, the client's. */
  get specs(): ToolSpec[] {
    const own = new Set(this.#ownSpecs.map((s) => s.function.name));
    return [...this.#ownSpecs, ...[...this.#clientTools.values()].filter((s) => !own.has(s.function.name))];
  }

  /** The realtime client's own tools (session.update); the agent's tools of the same name win. */
  setClientTools(specs: readonly ToolSpec[]): void {
    this.#clientTools.clear();
    for (const s of specs) this.#clientTools.set(s.function.name, s);
  }

  /** The client's output of one of its function calls; false for an unknown or answered call id. */
  submitClientOutput(callId: string, output: unknown): boolean {
    const pending = this.#pendingClient.get(callId);
    if (!pending) return false;
    this.#pendingClient.delete(callId);
    this.#record(pending.call, pending.args, { ok: true, response: output }, pending.atMs, false);
    return true;
  }

  /** Before the conversation moves on: calls the client left unanswered get an error result (the model needs one). */
  settleClientCalls(): void {
    for (const callId of [...this.#pendingClient.keys()]) this.submitClientOutput(callId, NO_CLIENT_OUTPUT);
  }

  /** Runs one tool call; returns its effect on the turn. */
  async run(call: ChatToolCall): Promise<ToolEffect> {
    const { time } = this.#o;
    const atMs = time.nowMs;
    if (
      this.#clientTools.has(call.function.name) &&
      !this.#ownSpecs.some((s) => s.function.name === call.function.name)
    ) {
      let args: unknown = call.function.arguments;
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        // kept as the model wrote it
      }
      this.#pendingClient.set(call.id, { call, args, atMs });
      this.emit('clientCall', { callId: call.id, name: call.function.name, arguments: call.function.arguments });
      return 'client';
    }
    const builtins = {
      transfer: (number: string) => this.#actions.request((resolve) => ({ type: 'transfer_call', number, resolve })),
      sendDtmf: (digits: string) => this.#actions.request((resolve) => ({ type: 'send_dtmf', digits, resolve })),
      hold: () => {
        this.emit('hold', this.#o.maxHoldSeconds);
        return this.#o.maxHoldSeconds;
      },
    };
    const { args, outcome, effect, builtin } = await dispatchTool(call, this.#httpTools, builtins, this.#o.http);
    this.#record(call, args, outcome, atMs, builtin);
    return effect;
  }

  #record(call: ChatToolCall, args: unknown, outcome: ToolOutcome, atMs: number, builtin: boolean): void {
    const { time, log } = this.#o;
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
  }

  /** The session ended: pending owner actions resolve as failed. */
  close(): void {
    this.#actions.close();
  }
}
