import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common';
import { settingsOf, type AgentRecord } from '../../agents/agent-service';
import { PRODUCTS } from '../../agents/products';

/** Inline function tool (§7.3), kept loose on the wire: `parameters` is any JSON Schema. */
export const InlineToolWire = Type.Object(
  {
    type: Type.Literal('function'),
    function: Type.Object({
      name: Type.String(),
      description: Type.String(),
      parameters: Type.Object({}, { additionalProperties: true }),
    }),
    endpoint: Type.Object({
      url: Type.String(),
      method: Type.String(),
      headers: Type.Record(Type.String(), Type.String()),
    }),
  },
  { additionalProperties: true },
);

/** Post-call analysis settings (analysis/analysis-settings.ts). */
export const PostCallAnalysisWire = Type.Object({
  summary: Type.Boolean({ description: 'write `summary` on the call' }),
  grading: Type.Boolean({ description: 'grade_score, call_outcome, outcome_label, issues' }),
  extraction_schema: Nullable(
    Type.Object({}, { additionalProperties: true, description: 'JSON Schema (type object) of `extracted_data`' }),
  ),
  outcome_labels: Type.Array(Type.String(), { description: 'the labels outcome_label is chosen from' }),
});

/** How the caller interrupts the agent while it speaks; a missing key takes the platform default (BARGE_IN_*). */
const BargeInWire = Type.Object(
  {
    min_speech_ms: Type.Optional(
      Type.Integer({
        description: 'voiced speech (ms, 60-10000) that interrupts the speaking agent whatever the words',
      }),
    ),
    min_words: Type.Optional(
      Type.Integer({
        description:
          'interim words (1-20, streaming STT) that interrupt it unless all backchannel words ("uh-huh", "okay")',
      }),
    ),
    filter_backchannels: Type.Optional(
      Type.Boolean({ description: 'false: any caller speech stops the agent at once' }),
    ),
  },
  { description: 'barge-in while the agent speaks; null = the platform defaults' },
);

const settingsProps = {
  name: Type.String(),
  prompt: Type.String(),
  voice: Type.String(),
  product: Type.String({ enum: [...PRODUCTS] }),
  thinking_level: Nullable(Type.String({ enum: ['base', 'extra'] })),
  background_track: Nullable(Type.String()),
  acknowledgement_prompt_mode: Type.String({ enum: ['auto', 'manual'] }),
  acknowledgement_prompt: Type.String(),
  inbound_speak_order: Type.String({ enum: ['agent_first', 'caller_first'] }),
  outbound_speak_order: Type.String({ enum: ['agent_first', 'caller_first'] }),
  max_hold_seconds: Nullable(Type.Integer()),
  widget_enabled: Type.Boolean(),
  primary_language: Type.String(),
  additional_languages: Type.Array(Type.String()),
  tools: Type.Array(InlineToolWire),
  integration_ids: Type.Array(Type.String()),
  voicemail_action: Type.String({
    enum: ['hang_up', 'leave_message', 'continue'],
    description:
      'outbound calls answered by a machine: hang_up (end_reason voicemail), leave_message (voicemail_message after the beep), continue',
  }),
  voicemail_message: Type.String({ description: 'spoken after the beep with leave_message; {{variables}} filled' }),
  post_call_analysis: Nullable(PostCallAnalysisWire),
  barge_in: Nullable(BargeInWire),
};

export const AgentSettingsWire = Type.Object(settingsProps);

/** The pending (not deployed) settings of an agent. */
export const AgentDraftWire = Type.Object(
  { ...settingsProps, updated_at: Timestamp },
  {
    description:
      'Settings written by PATCH/PUT that calls do not use until POST /v1/agents/{id}/deploy; always on top of the deployed `version`.',
  },
);

/**
 * Agent object (thunderphone-api.md §3.7). The top-level settings are the DEPLOYED revision (what
 * calls use); `draft` holds pending changes.
 */
export const AgentWire = Type.Object({
  id: Type.Integer(),
  ...settingsProps,
  integrations: Type.Array(Type.Object({}, { additionalProperties: true })),
  version: Type.Integer({ description: 'the deployed revision: calls placed or answered now use it' }),
  deployed_at: Timestamp,
  deploy_mode: Type.String({
    enum: ['auto', 'manual'],
    description:
      'auto: PATCH/PUT deploy at once (until a client uses deploy, discard-draft or ?draft=true); manual: PATCH/PUT write the draft',
  }),
  draft: Nullable(AgentDraftWire),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const AgentVersionWire = Type.Object({
  version: Type.Integer(),
  created_at: Timestamp,
  snapshot: AgentSettingsWire,
});

/**
 * Request body: every writable field optional here (the parser reports missing required ones
 * with field messages); read-only fields of the agent object are accepted and ignored.
 */
export const AgentBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    prompt: Type.Optional(Type.String()),
    voice: Type.Optional(Type.String({ description: 'Voice id from GET /v1/voices (`voice_name` is an alias)' })),
    product: Type.Optional(Type.String({ description: PRODUCTS.join(' | ') })),
    thinking_level: Type.Optional(Nullable(Type.String())),
    background_track: Type.Optional(Nullable(Type.String({ description: 'null (silence) or CALL_CENTER' }))),
    acknowledgement_prompt_mode: Type.Optional(Type.String()),
    acknowledgement_prompt: Type.Optional(Type.String()),
    inbound_speak_order: Type.Optional(Type.String()),
    outbound_speak_order: Type.Optional(Type.String()),
    max_hold_seconds: Type.Optional(Nullable(Type.Integer({ description: '0-3600 or null' }))),
    widget_enabled: Type.Optional(Type.Boolean()),
    primary_language: Type.Optional(Type.String()),
    additional_languages: Type.Optional(Type.Array(Type.String())),
    tools: Type.Optional(Type.Array(Type.Unknown())),
    integration_ids: Type.Optional(Type.Array(Type.Unknown())),
    voicemail_action: Type.Optional(Type.String({ description: 'hang_up | leave_message | continue (default)' })),
    voicemail_message: Type.Optional(Type.String()),
    post_call_analysis: Type.Optional(
      Nullable(
        Type.Object(
          {},
          {
            additionalProperties: true,
            description: '{summary, grading, extraction_schema, outcome_labels}; null = no analysis',
          },
        ),
      ),
    ),
    barge_in: Type.Optional(
      Nullable(
        Type.Object(
          {},
          {
            additionalProperties: true,
            description: '{min_speech_ms, min_words, filter_backchannels}, each optional; null = platform defaults',
          },
        ),
      ),
    ),
  },
  { additionalProperties: true },
);

/** `?draft=true|false` on PATCH/PUT: write the draft, or deploy at once (default: the agent's deploy_mode). */
export const AgentEditQuery = Type.Object({
  draft: Type.Optional(
    Type.Boolean({ description: 'true: write the draft (agent becomes deploy_mode manual); false: deploy at once' }),
  ),
});

export function agentToWire(a: AgentRecord) {
  const { org_id: _org, draft, ...rest } = a;
  return {
    ...rest,
    ...wireSettings(a),
    integrations: [] as Record<string, unknown>[],
    draft: draft === null ? null : { ...wireSettings(draft.settings), updated_at: draft.updated_at },
  };
}

/** The settings with every field present (older drafts and snapshots lack the newer ones). */
export function wireSettings(s: Parameters<typeof settingsOf>[0]) {
  const all = settingsOf(s);
  return {
    ...all,
    voicemail_action: all.voicemail_action ?? 'continue',
    voicemail_message: all.voicemail_message ?? '',
    post_call_analysis: all.post_call_analysis ?? null,
    barge_in: all.barge_in ?? null,
  };
}
