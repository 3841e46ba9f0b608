import type { ChatToolCall, ToolSpec } from './llm/llm';
import type { ToolCallAudit } from './session-events';
import { BUILTIN_TOOL_NAMES, BUILTIN_TOOL_SPECS, toolSpecOf, type AgentTool } from './tools/agent-tool';
import { dispatchTool, type ToolEffect } from './tools/tool-dispatcher';
import type { HttpToolContext } from './tools/http-tool-runner';
import type { OwnerActions } from './tools/owner-actions';
import type { ConversationLog } from './turn/conversation-log';

/** What running one of the model's tool calls needs from the session. */
export interface ToolCallContext {
  readonly httpTools: ReadonlyMap<string, AgentTool>;
  /** transfer_call and send_dtmf become owner actions. */
  readonly actions: OwnerActions;
  /** hold: enters the hold state, returns its limit in seconds. */
  hold(): number;
  readonly http: HttpToolContext;
  readonly log: ConversationLog;
  /** Session ms now (the tool's start and end in the transcript and the audit). */
  nowMs(): number;
  onAudit(audit: ToolCallAudit): void;
}

/** Runs one tool call, records it in the conversation and reports its audit; returns its effect on the turn. */
export async function runToolCall(call: ChatToolCall, ctx: ToolCallContext): Promise<ToolEffect> {
  const atMs = ctx.nowMs();
  const builtins = {
    transfer: (number: string) => ctx.actions.request((resolve) => ({ type: 'transfer_call', number, resolve })),
    sendDtmf: (digits: string) => ctx.actions.request((resolve) => ({ type: 'send_dtmf', digits, resolve })),
    hold: () => ctx.hold(),
  };
  const { args, outcome, effect, builtin } = await dispatchTool(call, ctx.httpTools, builtins, ctx.http);
  const result = outcome.ok ? outcome.response : { error: outcome.error };
  ctx.log.tool(call, args, result, atMs, ctx.nowMs());
  ctx.onAudit({
    name: call.function.name,
    arguments: args,
    builtin,
    startMs: atMs,
    endMs: ctx.nowMs(),
    ...(outcome.ok ? { response: outcome.response } : { error: outcome.error }),
  });
  return effect;
}

/** The tools offered to the model: the agent's HTTP tools, then the built-ins they do not override. */
export function toolSpecsFor(httpTools: ReadonlyMap<string, AgentTool>): ToolSpec[] {
  return [
    ...[...httpTools.values()].map(toolSpecOf),
    ...BUILTIN_TOOL_NAMES.filter((n) => !httpTools.has(n)).map((n) => BUILTIN_TOOL_SPECS[n]),
  ];
}
