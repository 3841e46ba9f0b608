import type { VoiceCatalog } from '../voice/tts/voice-catalog';
import type { PrivateTargetPolicy } from '../net/address-policy';
import { parsePostCallAnalysis, type PostCallAnalysisSettings } from '../analysis/analysis-settings';
import { parseBargeIn, type BargeInOverrides } from './barge-in-settings';
import { CALL_CONFIG_FIELDS, FieldMessages, parseSharedAgentFields, type CallAgentConfig } from './call-config';

export type SpeakOrder = 'agent_first' | 'caller_first';
/** What an outbound call does when an answering machine picked up (calls/voicemail/). */
export type VoicemailAction = 'hang_up' | 'leave_message' | 'continue';
export const VOICEMAIL_ACTIONS: readonly VoicemailAction[] = ['hang_up', 'leave_message', 'continue'];
export const MAX_VOICEMAIL_MESSAGE_CHARS = 2_000;

/** Everything an agent stores (thunderphone-api.md §3.7, §7.1). */
export interface AgentSettings extends CallAgentConfig {
  name: string;
  inbound_speak_order: SpeakOrder;
  outbound_speak_order: SpeakOrder;
  /** Per-agent hold timeout; null = platform default. */
  max_hold_seconds: number | null;
  widget_enabled: boolean;
  primary_language: string;
  additional_languages: string[];
  integration_ids: string[];
  /** Outbound calls answered by a machine: hang up (end_reason voicemail), leave a message, or talk on. */
  voicemail_action?: VoicemailAction;
  /** Spoken after the beep with `leave_message` ({{variables}} filled). */
  voicemail_message?: string;
  /** Summary, grading and data extraction after the call (null = none). */
  post_call_analysis?: PostCallAnalysisSettings | null;
}

export const MAX_HOLD_SECONDS = 3600;
export const MAX_AGENT_NAME = 255;
const BCP47 = /^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$/;

/** The fields only a saved agent has (an inline call config rejects them). */
const AGENT_ONLY_FIELDS = [
  'name',
  'inbound_speak_order',
  'outbound_speak_order',
  'max_hold_seconds',
  'widget_enabled',
  'primary_language',
  'additional_languages',
  'integration_ids',
  'mcp_server_ids',
  'knowledge_base_ids',
  'knowledge_document_ids',
  'voicemail_action',
  'voicemail_message',
  'post_call_analysis',
] as const;
const WRITABLE: readonly string[] = [...CALL_CONFIG_FIELDS, ...AGENT_ONLY_FIELDS];
/** Read-only fields of the agent object: ignored on input so GET → edit → PUT round-trips. */
const READ_ONLY = ['id', 'integrations', 'version', 'deployed_at', 'deploy_mode', 'draft', 'created_at', 'updated_at'];
/** Linked resources this server does not implement: only `[]` is accepted. */
const UNSUPPORTED_LINKS = ['integration_ids', 'mcp_server_ids', 'knowledge_base_ids', 'knowledge_document_ids'];

export const AGENT_DEFAULTS = {
  inbound_speak_order: 'agent_first',
  outbound_speak_order: 'agent_first',
  max_hold_seconds: null,
  widget_enabled: true,
  primary_language: 'en-US',
  additional_languages: [],
  integration_ids: [],
  voicemail_action: 'continue',
  voicemail_message: '',
  post_call_analysis: null,
  barge_in: null,
} as const;

export type AgentParseResult = { ok: true; settings: AgentSettings } | { ok: false; fields: Record<string, string[]> };

/**
 * Validates an agent body. `base` = the stored agent for PATCH (absent fields keep their value);
 * without it (POST, PUT) `name`, `prompt` and `voice` are required and the rest take defaults.
 * `targets` (ALLOW_PRIVATE_TARGETS) decides which tool endpoint addresses may be saved.
 */
export function parseAgentInput(
  input: unknown,
  voices: VoiceCatalog,
  targets: PrivateTargetPolicy,
  base?: AgentSettings,
): AgentParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { ok: false, fields: { non_field_errors: ['Expected a JSON object.'] } };
  const body = input as Record<string, unknown>;
  const msgs = new FieldMessages();
  for (const key of Object.keys(body))
    if (!WRITABLE.includes(key) && !READ_ONLY.includes(key)) msgs.add(key, 'Unknown field.');
  const has = (k: string): boolean => body[k] !== undefined;

  let name = base?.name ?? '';
  if (has('name')) {
    if (typeof body.name !== 'string' || body.name.trim() === '') msgs.add('name', 'This field may not be blank.');
    else if (body.name.length > MAX_AGENT_NAME)
      msgs.add('name', `Ensure this field has no more than ${MAX_AGENT_NAME} characters.`);
    else name = body.name;
  } else if (!base) msgs.add('name', 'This field is required.');

  const shared = parseSharedAgentFields(body, voices, targets, msgs, { prompt: !base, voice: !base }, base);

  const speakOrder = (k: 'inbound_speak_order' | 'outbound_speak_order'): SpeakOrder => {
    const fallback = base?.[k] ?? AGENT_DEFAULTS[k];
    if (!has(k)) return fallback;
    if (body[k] === 'agent_first' || body[k] === 'caller_first') return body[k];
    msgs.add(k, 'Must be "agent_first" or "caller_first".');
    return fallback;
  };
  const inbound = speakOrder('inbound_speak_order');
  const outbound = speakOrder('outbound_speak_order');

  let maxHold: number | null = base ? base.max_hold_seconds : AGENT_DEFAULTS.max_hold_seconds;
  if (body.max_hold_seconds !== undefined) {
    const v = body.max_hold_seconds;
    if (v === null) maxHold = null;
    else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_HOLD_SECONDS)
      msgs.add('max_hold_seconds', `Must be a whole number of seconds from 0 to ${MAX_HOLD_SECONDS}, or null.`);
    else maxHold = v;
  }

  let widget = base?.widget_enabled ?? AGENT_DEFAULTS.widget_enabled;
  if (has('widget_enabled')) {
    if (typeof body.widget_enabled === 'boolean') widget = body.widget_enabled;
    else msgs.add('widget_enabled', 'Must be a boolean.');
  }

  let primary = base?.primary_language ?? AGENT_DEFAULTS.primary_language;
  if (has('primary_language')) {
    if (typeof body.primary_language === 'string' && BCP47.test(body.primary_language)) primary = body.primary_language;
    else msgs.add('primary_language', 'Must be a BCP-47 language tag such as "en-US".');
  }
  let additional: string[] = base?.additional_languages ?? [];
  if (has('additional_languages')) {
    const v = body.additional_languages;
    if (!Array.isArray(v) || v.length > 20 || !v.every((x) => typeof x === 'string' && BCP47.test(x)))
      msgs.add('additional_languages', 'Must be a list (at most 20) of BCP-47 language tags such as "es-ES".');
    else additional = [...new Set(v as string[])].filter((x) => x !== primary);
  }

  for (const k of UNSUPPORTED_LINKS) {
    if (!has(k)) continue;
    const v = body[k];
    if (!Array.isArray(v)) msgs.add(k, 'Expected a list.');
    else if (v.length > 0) msgs.add(k, `Unknown id(s): ${v.slice(0, 5).map(String).join(', ')}.`);
  }

  let voicemailAction: VoicemailAction = base?.voicemail_action ?? AGENT_DEFAULTS.voicemail_action;
  if (has('voicemail_action')) {
    if (VOICEMAIL_ACTIONS.includes(body.voicemail_action as VoicemailAction))
      voicemailAction = body.voicemail_action as VoicemailAction;
    else msgs.add('voicemail_action', `Must be one of ${VOICEMAIL_ACTIONS.join(', ')}.`);
  }
  let voicemailMessage = base?.voicemail_message ?? AGENT_DEFAULTS.voicemail_message;
  if (has('voicemail_message')) {
    if (typeof body.voicemail_message !== 'string') msgs.add('voicemail_message', 'Must be a string.');
    else if (body.voicemail_message.length > MAX_VOICEMAIL_MESSAGE_CHARS)
      msgs.add('voicemail_message', `Ensure this field has no more than ${MAX_VOICEMAIL_MESSAGE_CHARS} characters.`);
    else voicemailMessage = body.voicemail_message;
  }
  if (voicemailAction === 'leave_message' && voicemailMessage.trim() === '' && !msgs.fields.voicemail_message)
    msgs.add('voicemail_message', 'Required when voicemail_action is "leave_message".');

  let analysis: PostCallAnalysisSettings | null = base
    ? (base.post_call_analysis ?? null)
    : AGENT_DEFAULTS.post_call_analysis;
  if (body.post_call_analysis !== undefined)
    analysis = parsePostCallAnalysis(body.post_call_analysis, 'post_call_analysis', msgs.add);

  let bargeIn: BargeInOverrides | null = base ? (base.barge_in ?? null) : AGENT_DEFAULTS.barge_in;
  if (body.barge_in !== undefined) bargeIn = parseBargeIn(body.barge_in, 'barge_in', msgs.add);

  if (!msgs.empty) return { ok: false, fields: msgs.fields };
  return {
    ok: true,
    settings: {
      ...shared,
      name,
      inbound_speak_order: inbound,
      outbound_speak_order: outbound,
      max_hold_seconds: maxHold,
      widget_enabled: widget,
      primary_language: primary,
      additional_languages: additional,
      integration_ids: [],
      voicemail_action: voicemailAction,
      voicemail_message: voicemailMessage,
      post_call_analysis: analysis,
      barge_in: bargeIn,
    },
  };
}
