import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { PrivateTargetPolicy } from '../net/address-policy';
import { parseInlineTools, type InlineTool } from './inline-tool';
import { parseBargeIn, type BargeInOverrides } from './barge-in-settings';
import { checkToolsForSave } from './tool-save-checks';
import {
  DEFAULT_PRODUCT,
  PRODUCTS,
  isBackgroundTrack,
  isProduct,
  thinkingLevelOf,
  type Product,
  type ThinkingLevel,
  BACKGROUND_TRACKS,
} from './products';

export type { InlineTool } from './inline-tool';
export type { Product } from './products';

/**
 * The agent configuration of one call: the inline `config` of POST /v1/call and the body of a
 * blocking `call.incoming` webhook response (thunderphone-api.md §5.4, §7).
 */
export interface CallAgentConfig {
  prompt: string;
  /** A voice id of the catalog (aliases such as `en-US-James1` included). */
  voice: string;
  product: Product;
  thinking_level: ThinkingLevel | null;
  background_track: string | null;
  acknowledgement_prompt_mode: 'auto' | 'manual';
  acknowledgement_prompt: string;
  tools: InlineTool[];
  /**
   * How the caller interrupts the agent while it speaks (null or absent = the platform's BARGE_IN_*
   * defaults). Inline configs parse it in parseCallConfig; agents in agent-input.ts.
   */
  barge_in?: BargeInOverrides | null;
}

export type ParseResult<T> = { ok: true; config: T } | { ok: false; fields: Record<string, string[]> };

export const MAX_PROMPT_CHARS = 100_000;
export const MAX_ACK_PROMPT_CHARS = 2_000;

/** The fields of an inline call configuration; agents have these and AGENT_ONLY_FIELDS (agent-input.ts). */
export const CALL_CONFIG_FIELDS = [
  'prompt',
  'voice',
  'voice_name',
  'product',
  'thinking_level',
  'background_track',
  'acknowledgement_prompt_mode',
  'acknowledgement_prompt',
  'tools',
  'barge_in',
] as const;

/** Field collector shared by the call-config and agent parsers. */
export class FieldMessages {
  readonly fields: Record<string, string[]> = {};
  readonly add = (field: string, message: string): void => {
    (this.fields[field] ??= []).push(message);
  };
  get empty(): boolean {
    return Object.keys(this.fields).length === 0;
  }
}

/**
 * Validates the fields agents and call configs share; absent fields take the defaults. `targets`
 * (ALLOW_PRIVATE_TARGETS) decides which tool endpoint addresses may be saved.
 */
export function parseSharedAgentFields(
  body: Record<string, unknown>,
  voices: VoiceCatalog,
  targets: PrivateTargetPolicy,
  msgs: FieldMessages,
  required: { prompt: boolean; voice: boolean },
  base?: CallAgentConfig,
): CallAgentConfig {
  const has = (k: string): boolean => body[k] !== undefined;
  let prompt = base?.prompt ?? '';
  if (has('prompt')) {
    if (typeof body.prompt !== 'string' || body.prompt.trim() === '')
      msgs.add('prompt', 'This field may not be blank.');
    else if (body.prompt.length > MAX_PROMPT_CHARS)
      msgs.add('prompt', `Ensure this field has no more than ${MAX_PROMPT_CHARS} characters.`);
    else prompt = body.prompt;
  } else if (required.prompt) msgs.add('prompt', 'This field is required.');

  let voice = base?.voice ?? '';
  let voiceField = 'voice';
  let voiceInput: unknown = body.voice;
  if (!has('voice') && has('voice_name')) {
    voiceField = 'voice_name';
    voiceInput = body.voice_name;
  } else if (has('voice') && has('voice_name') && body.voice !== body.voice_name) {
    msgs.add('voice_name', 'Give either voice or voice_name, not both.');
  }
  if (voiceInput !== undefined) {
    if (typeof voiceInput !== 'string' || voiceInput === '') msgs.add(voiceField, 'This field may not be blank.');
    else if (!voices.get(voiceInput))
      msgs.add(voiceField, `Unknown voice "${voiceInput.slice(0, 100)}"; see GET /v1/voices.`);
    else voice = voiceInput;
  } else if (required.voice) msgs.add('voice', 'This field is required.');

  let product: Product = base?.product ?? DEFAULT_PRODUCT;
  if (has('product')) {
    if (isProduct(body.product)) product = body.product;
    else
      msgs.add(
        'product',
        `"${String(body.product).slice(0, 50)}" is not a valid choice; one of ${PRODUCTS.join(', ')}.`,
      );
  }
  const thinking = thinkingLevelOf(product);
  if (body.thinking_level !== undefined && body.thinking_level !== null) {
    if (body.thinking_level !== 'base' && body.thinking_level !== 'extra')
      msgs.add('thinking_level', 'Must be "base", "extra" or null.');
    else if (body.thinking_level !== thinking)
      msgs.add(
        'thinking_level',
        thinking === null
          ? `Only Storm products have a thinking level.`
          : `Product ${product} has thinking level "${thinking}".`,
      );
  }

  let background: string | null = base?.background_track ?? null;
  if (body.background_track !== undefined) {
    if (body.background_track === null) background = null;
    else if (isBackgroundTrack(body.background_track)) background = body.background_track as string;
    else msgs.add('background_track', `Must be null or one of ${BACKGROUND_TRACKS.join(', ')}.`);
  }

  let ackMode: 'auto' | 'manual' = base?.acknowledgement_prompt_mode ?? 'auto';
  if (has('acknowledgement_prompt_mode')) {
    if (body.acknowledgement_prompt_mode === 'auto' || body.acknowledgement_prompt_mode === 'manual')
      ackMode = body.acknowledgement_prompt_mode;
    else msgs.add('acknowledgement_prompt_mode', 'Must be "auto" or "manual".');
  }
  let ackPrompt = base?.acknowledgement_prompt ?? '';
  if (has('acknowledgement_prompt')) {
    if (typeof body.acknowledgement_prompt !== 'string') msgs.add('acknowledgement_prompt', 'Must be a string.');
    else if (body.acknowledgement_prompt.length > MAX_ACK_PROMPT_CHARS)
      msgs.add('acknowledgement_prompt', `Ensure this field has no more than ${MAX_ACK_PROMPT_CHARS} characters.`);
    else ackPrompt = body.acknowledgement_prompt;
  }
  if (ackMode === 'manual' && ackPrompt.trim() === '' && !msgs.fields.acknowledgement_prompt)
    msgs.add('acknowledgement_prompt', 'Required when acknowledgement_prompt_mode is "manual".');

  let tools = base?.tools ?? [];
  if (has('tools')) {
    tools = parseInlineTools(body.tools, 'tools', msgs.add);
    checkToolsForSave(body.tools, 'tools', targets, msgs.add);
  }

  return {
    prompt,
    voice,
    product,
    thinking_level: thinking,
    background_track: background,
    acknowledgement_prompt_mode: ackMode,
    acknowledgement_prompt: ackPrompt,
    tools,
  };
}

/**
 * Parses an inline call configuration. `prompt` and `voice` (or its alias `voice_name`) are
 * required; `barge_in` is validated as on agents (null or absent = the platform defaults); unknown top-level keys — including speak orders and `max_hold_seconds`, which are
 * agent-only — are rejected. `targets` is ALLOW_PRIVATE_TARGETS (tool endpoint addresses).
 */
export function parseCallConfig(
  input: unknown,
  voices: VoiceCatalog,
  targets: PrivateTargetPolicy,
): ParseResult<CallAgentConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, fields: { non_field_errors: ['Expected an object with the agent configuration.'] } };
  const body = input as Record<string, unknown>;
  const msgs = new FieldMessages();
  for (const key of Object.keys(body)) {
    if (!(CALL_CONFIG_FIELDS as readonly string[]).includes(key)) msgs.add(key, 'Unknown field.');
  }
  const config = parseSharedAgentFields(body, voices, targets, msgs, { prompt: true, voice: true });
  config.barge_in = body.barge_in === undefined ? null : parseBargeIn(body.barge_in, 'barge_in', msgs.add);
  return msgs.empty ? { ok: true, config } : { ok: false, fields: msgs.fields };
}
