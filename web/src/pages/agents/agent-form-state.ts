import type { Agent } from '../../api/types';
import { analysisForm, type AnalysisForm } from './analysis-section';
import { bargeInBody, bargeInForm, type BargeInForm } from './barge-in-section';
import type { VoicemailForm } from './voicemail-section';

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
