import type { VoicemailAction } from '../../agents/agent-input';
import { jsonObjectColumn } from '../../store/json-columns';
import type { CallRow } from '../call-repo';

/** The message left on a machine (calls.config.voicemail_message, variables already filled). */
export function voicemailMessageOf(call: CallRow): string {
  const v = jsonObjectColumn(call.config).voicemail_message;
  return typeof v === 'string' ? v : '';
}

/** The call's voicemail_action (calls.config, copied from the agent at placement; default continue). */
export function voicemailActionOf(call: CallRow): VoicemailAction {
  const v = jsonObjectColumn(call.config).voicemail_action;
  return v === 'hang_up' || v === 'leave_message' ? v : 'continue';
}

/** The call's primary_language (calls.config), the hint for the screen's speech-to-text. */
export function voicemailLanguageOf(call: CallRow): string | undefined {
  const v = jsonObjectColumn(call.config).primary_language;
  return typeof v === 'string' && v !== '' ? v : undefined;
}
