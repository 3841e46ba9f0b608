import type { ToolSpec } from '../llm/llm';

/**
 * An HTTP function tool (inline tool or saved integration, thunderphone-api.md §7.3). Structurally
 * the same as src/agents/inline-tool.ts InlineTool. `endpoint` is never shown to the model.
 */
export interface AgentTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
  endpoint: { url: string; method: string; headers: Record<string, string> };
}

export const BUILTIN_TOOL_NAMES = ['end_call', 'transfer_call', 'send_dtmf', 'wait_on_hold'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

const obj = (properties: Record<string, unknown>, required: string[]): Record<string, unknown> => ({
  type: 'object',
  properties,
  required,
});

/** The built-in tools as the model sees them. */
export const BUILTIN_TOOL_SPECS: Record<BuiltinToolName, ToolSpec> = {
  end_call: {
    type: 'function',
    function: {
      name: 'end_call',
      description: 'Hang up the call. Say goodbye first; the call ends after your last words are played.',
      parameters: obj({ reason: { type: 'string' } }, []),
    },
  },
  transfer_call: {
    type: 'function',
    function: {
      name: 'transfer_call',
      description:
        'Transfer the caller to another phone number (E.164, e.g. +14155550100). Tell the caller before transferring.',
      parameters: obj({ number: { type: 'string', description: 'E.164 phone number' } }, ['number']),
    },
  },
  send_dtmf: {
    type: 'function',
    function: {
      name: 'send_dtmf',
      description: 'Press keys on the phone keypad, e.g. to navigate a phone menu. Digits 0-9, * and #.',
      parameters: obj({ digits: { type: 'string', description: 'Keys to press, e.g. "1" or "1234#"' } }, ['digits']),
    },
  },
  wait_on_hold: {
    type: 'function',
    function: {
      name: 'wait_on_hold',
      description:
        'The other side put you on hold or is playing music: stay silent and wait until a person speaks again.',
      parameters: obj({}, []),
    },
  },
};

export const toolSpecOf = (t: AgentTool): ToolSpec => ({ type: 'function', function: t.function });
