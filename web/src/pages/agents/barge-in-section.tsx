import type { BargeInForm } from './agent-form-state';
import { FieldGroup, SelectField, TextField, fieldErrors, groupErrors } from '../../ui/form';

/** The server's field names whose messages this section shows next to its inputs. */
export const BARGE_IN_FIELDS = ['barge_in.min_speech_ms', 'barge_in.min_words', 'barge_in.filter_backchannels'];

export function BargeInSection({
  value,
  onChange,
  error,
}: {
  value: BargeInForm;
  onChange: (next: BargeInForm) => void;
  /** The last save's error (its field messages are shown here). */
  error: unknown;
}) {
  const set =
    <K extends keyof BargeInForm>(k: K) =>
    (e: { target: { value: string } }) =>
      onChange({ ...value, [k]: e.target.value as BargeInForm[K] });
  return (
    <FieldGroup
      legend="Interruptions"
      hint="How the caller interrupts the agent while it speaks. Leave a setting empty for the platform default."
      errors={groupErrors(error, 'barge_in', BARGE_IN_FIELDS)}
    >
      <TextField
        label="Speech that interrupts (ms)"
        name="barge_in.min_speech_ms"
        inputMode="numeric"
        value={value.min_speech_ms}
        onChange={set('min_speech_ms')}
        errors={fieldErrors(error, 'barge_in.min_speech_ms')}
        hint="60–10000: this much of the caller's voice stops the agent, whatever the words."
      />
      <TextField
        label="Words that interrupt"
        name="barge_in.min_words"
        inputMode="numeric"
        value={value.min_words}
        onChange={set('min_words')}
        errors={fieldErrors(error, 'barge_in.min_words')}
        hint="1–20: this many words stop the agent, unless they are all backchannels like “uh-huh”, “okay”."
      />
      <SelectField
        label="Backchannels"
        name="barge_in.filter_backchannels"
        value={value.filter_backchannels}
        onChange={set('filter_backchannels')}
        errors={fieldErrors(error, 'barge_in.filter_backchannels')}
      >
        <option value="">Platform default</option>
        <option value="true">Ignored: “uh-huh”, “okay” do not stop the agent</option>
        <option value="false">Any speech stops the agent at once</option>
      </SelectField>
    </FieldGroup>
  );
}
