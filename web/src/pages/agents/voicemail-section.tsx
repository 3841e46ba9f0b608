import type { VoicemailAction } from '../../api/types';
import type { VoicemailForm } from './agent-form-state';
import { FieldGroup, SelectField, TextArea, fieldErrors } from '../../ui/form';

export const VOICEMAIL_FIELDS = ['voicemail_action', 'voicemail_message'];

export function VoicemailSection({
  value,
  onChange,
  error,
}: {
  value: VoicemailForm;
  onChange: (next: VoicemailForm) => void;
  /** The last save's error (its field messages are shown here). */
  error: unknown;
}) {
  const messageErrors = fieldErrors(error, 'voicemail_message');
  return (
    <FieldGroup
      legend="Voicemail (outbound calls)"
      hint="What a call this agent places does when an answering machine picks up."
    >
      <SelectField
        label="When a machine answers"
        name="voicemail_action"
        value={value.voicemail_action}
        onChange={(e) => onChange({ ...value, voicemail_action: e.target.value as VoicemailAction })}
        errors={fieldErrors(error, 'voicemail_action')}
      >
        <option value="continue">Carry on as with a person (only report it)</option>
        <option value="hang_up">Hang up</option>
        <option value="leave_message">Leave a message after the beep</option>
      </SelectField>
      {/* The message matters only with leave_message (it is kept, and shown while the API objects to it). */}
      {value.voicemail_action === 'leave_message' || messageErrors.length > 0 ? (
        <TextArea
          label="Voicemail message"
          name="voicemail_message"
          rows={4}
          value={value.voicemail_message}
          onChange={(e) => onChange({ ...value, voicemail_message: e.target.value })}
          errors={messageErrors}
          hint={
            <>
              Spoken instead of the greeting, then the call ends. Up to 2000 characters; <code>{'{{name}}'}</code>{' '}
              placeholders are filled from the call&apos;s <code>variables</code>.
            </>
          }
          required
        />
      ) : null}
    </FieldGroup>
  );
}
