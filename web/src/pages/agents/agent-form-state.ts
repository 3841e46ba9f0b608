import type { Agent, BargeIn, PostCallAnalysis, VoicemailAction } from '../../api/types';

/** The agent form's state (text as typed) and its conversions from the agent and to the request body. */

export const PRODUCTS = ['spark', 'bolt', 'storm-base', 'storm-base-with-ack', 'storm-extra', 'storm-extra-with-ack'];

export interface FormState {
  name: string;
  prompt: string;
  voice: string;
  product: string;
  acknowledgement_prompt_mode: 'auto' | 'manual';
  acknowledgement_prompt: string;
  inbound_speak_order: 'agent_first' | 'caller_first';
  outbound_speak_order: 'agent_first' | 'caller_first';
  max_hold_seconds: string;
  background_track: string;
  primary_language: string;
  additional_languages: string;
  tools: string;
  voicemail: VoicemailForm;
  barge_in: BargeInForm;
  analysis: AnalysisForm;
}

export function toForm(agent: Agent | undefined, defaultVoice: string): FormState {
  // With a pending draft the form edits the draft (what PATCH changes), not the deployed revision.
  const a = agent?.draft ?? agent;
  return {
    name: a?.name ?? '',
    prompt: a?.prompt ?? '',
    voice: a?.voice ?? defaultVoice,
    product: a?.product ?? 'spark',
    acknowledgement_prompt_mode: a?.acknowledgement_prompt_mode ?? 'auto',
    acknowledgement_prompt: a?.acknowledgement_prompt ?? '',
    inbound_speak_order: a?.inbound_speak_order ?? 'agent_first',
    outbound_speak_order: a?.outbound_speak_order ?? 'agent_first',
    max_hold_seconds:
      a?.max_hold_seconds === null || a?.max_hold_seconds === undefined ? '' : String(a.max_hold_seconds),
    background_track: a?.background_track ?? '',
    primary_language: a?.primary_language ?? 'en-US',
    additional_languages: (a?.additional_languages ?? []).join(', '),
    tools: JSON.stringify(a?.tools ?? [], null, 2),
    voicemail: { voicemail_action: a?.voicemail_action ?? 'continue', voicemail_message: a?.voicemail_message ?? '' },
    barge_in: bargeInForm(a?.barge_in),
    analysis: analysisForm(a?.post_call_analysis),
  };
}

/** The body sent: what the form shows, typed as the API wants it (its parsers give the field errors). */
export function toBody(
  f: FormState,
  tools: unknown[],
  analysis: Record<string, unknown> | null,
): Record<string, unknown> {
  const hold = f.max_hold_seconds.trim();
  return {
    name: f.name,
    prompt: f.prompt,
    voice: f.voice,
    product: f.product,
    acknowledgement_prompt_mode: f.acknowledgement_prompt_mode,
    acknowledgement_prompt: f.acknowledgement_prompt,
    inbound_speak_order: f.inbound_speak_order,
    outbound_speak_order: f.outbound_speak_order,
    max_hold_seconds: hold === '' ? null : /^-?\d+$/.test(hold) ? Number(hold) : hold,
    background_track: f.background_track === '' ? null : f.background_track,
    primary_language: f.primary_language,
    additional_languages: f.additional_languages
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tools,
    voicemail_action: f.voicemail.voicemail_action,
    voicemail_message: f.voicemail.voicemail_message,
    barge_in: bargeInBody(f.barge_in),
    post_call_analysis: analysis,
  };
}

export interface VoicemailForm {
  voicemail_action: VoicemailAction;
  voicemail_message: string;
}

/** The "Interruptions" inputs as typed: an empty input = the platform default (the key is left out). */
export interface BargeInForm {
  min_speech_ms: string;
  min_words: string;
  filter_backchannels: '' | 'true' | 'false';
}

export function bargeInForm(b: BargeIn | null | undefined): BargeInForm {
  const text = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    min_speech_ms: text(b?.min_speech_ms),
    min_words: text(b?.min_words),
    filter_backchannels: b?.filter_backchannels === undefined ? '' : b.filter_backchannels ? 'true' : 'false',
  };
}

/** A whole number as a number; anything else as typed, so the API's message says what is wrong. */
const wholeOrText = (s: string): number | string => (/^-?\d+$/.test(s) ? Number(s) : s);

/** `barge_in` as the API wants it: only the keys filled in; none filled in = null (all defaults). */
export function bargeInBody(f: BargeInForm): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const ms = f.min_speech_ms.trim();
  const words = f.min_words.trim();
  if (ms !== '') out.min_speech_ms = wholeOrText(ms);
  if (words !== '') out.min_words = wholeOrText(words);
  if (f.filter_backchannels !== '') out.filter_backchannels = f.filter_backchannels === 'true';
  return Object.keys(out).length > 0 ? out : null;
}

/** The "Post-call analysis" inputs; turned off, the other inputs keep their text but are not sent. */
export interface AnalysisForm {
  enabled: boolean;
  summary: boolean;
  grading: boolean;
  /** JSON text; empty = no extraction. */
  extraction_schema: string;
  /** One label a line. */
  outcome_labels: string;
}

export function analysisForm(a: PostCallAnalysis | null | undefined): AnalysisForm {
  return {
    enabled: !!a,
    summary: a?.summary ?? true,
    grading: a?.grading ?? true,
    extraction_schema: a?.extraction_schema ? JSON.stringify(a.extraction_schema, null, 2) : '',
    outcome_labels: (a?.outcome_labels ?? []).join('\n'),
  };
}

/**
 * `post_call_analysis` as the API wants it (null when off), or the problem of the schema text when
 * it is not JSON (the API checks the schema itself and says what is wrong with it).
 */
export function analysisBody(
  f: AnalysisForm,
): { ok: true; value: Record<string, unknown> | null } | { ok: false; problem: string } {
  if (!f.enabled) return { ok: true, value: null };
  let schema: unknown = null;
  if (f.extraction_schema.trim() !== '') {
    try {
      schema = JSON.parse(f.extraction_schema);
    } catch (err) {
      return { ok: false, problem: `Not valid JSON: ${(err as Error).message}` };
    }
  }
  const labels = f.outcome_labels
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ok: true,
    value: { summary: f.summary, grading: f.grading, extraction_schema: schema, outcome_labels: labels },
  };
}
