import type { ChatToolCall } from '../llm/llm';
import { BUILTIN_TOOL_NAMES, type AgentTool, type BuiltinToolName } from './agent-tool';
import { runHttpTool, type HttpToolContext, type ToolOutcome } from './http-tool-runner';

/** What the built-in tools need from the session. */
export interface BuiltinToolHost {
  /** Asks the owner to transfer; resolves with the outcome the call layer reports. */
  transfer(number: string): Promise<{ ok: boolean; error?: string }>;
  sendDtmf(digits: string): Promise<{ ok: boolean; error?: string }>;
  /** Enters the hold state; returns the hold limit in seconds. */
  hold(): number;
}

/**
 * After the tool: continue the LLM round, hang up once the goodbye is played, stay silent on hold,
 * or (a tool of the realtime client) end the answer and wait for the client's output.
 */
export type ToolEffect = 'continue' | 'end_call' | 'hold' | 'client';

const E164 = /^\+[1-9][0-9]{6,14}$/;
const DTMF = /^[0-9*#A-Da-d]{1,32}$/;

/** Runs one tool call of the model: built-ins locally (via the host), others over HTTP. */
export async function dispatchTool(
  call: ChatToolCall,
  httpTools: ReadonlyMap<string, AgentTool>,
  host: BuiltinToolHost,
  http: HttpToolContext,
): Promise<{ args: unknown; outcome: ToolOutcome; effect: ToolEffect; builtin: boolean }> {
  let args: unknown = {};
  try {
    args = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
  } catch {
    args = call.function.arguments;
  }
  const name = call.function.name;
  const inline = httpTools.get(name);
  if (inline)
    return {
      args,
      outcome: await runHttpTool(inline, call.function.arguments, http),
      effect: 'continue',
      builtin: false,
    };
  if (!(BUILTIN_TOOL_NAMES as readonly string[]).includes(name))
    return { args, outcome: { ok: false, error: `Unknown tool "${name}".` }, effect: 'continue', builtin: false };
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  const b = name as BuiltinToolName;
  const done = (outcome: ToolOutcome, effect: ToolEffect = 'continue') => ({ args, outcome, effect, builtin: true });
  switch (b) {
    case 'end_call':
      return done({ ok: true, response: { status: 'ending' } }, 'end_call');
    case 'wait_on_hold':
      return done({ ok: true, response: { status: 'waiting', max_hold_seconds: host.hold() } }, 'hold');
    case 'transfer_call': {
      const number = typeof a.number === 'string' ? a.number.replace(/[\s().-]/g, '') : '';
      if (!E164.test(number))
        return done({ ok: false, error: 'number must be an E.164 phone number like +14155550100.' });
      const r = await host.transfer(number);
      return done(
        r.ok
          ? { ok: true, response: { status: 'transferred', number } }
          : { ok: false, error: r.error ?? 'The transfer failed.' },
      );
    }
    case 'send_dtmf': {
      const digits = typeof a.digits === 'string' ? a.digits.replace(/\s/g, '') : '';
      if (!DTMF.test(digits)) return done({ ok: false, error: 'digits must be 1-32 keys among 0-9, *, #, A-D.' });
      const r = await host.sendDtmf(digits);
      return done(
        r.ok
          ? { ok: true, response: { status: 'sent', digits } }
          : { ok: false, error: r.error ?? 'Sending the keys failed.' },
      );
    }
  }
}
