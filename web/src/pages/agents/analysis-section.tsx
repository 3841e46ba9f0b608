import type { AnalysisForm } from './agent-form-state';
import { CheckboxField, FieldGroup, TextArea, fieldErrors, groupErrors } from '../../ui/form';

export const ANALYSIS_FIELDS = [
  'post_call_analysis.summary',
  'post_call_analysis.grading',
  'post_call_analysis.extraction_schema',
  'post_call_analysis.outcome_labels',
];

const SCHEMA_EXAMPLE = '{"type": "object", "properties": {"callback_time": {"type": "string"}}}';

export function AnalysisSection({
  value,
  onChange,
  error,
  schemaProblem,
}: {
  value: AnalysisForm;
  onChange: (next: AnalysisForm) => void;
  /** The last save's error (its field messages are shown here). */
  error: unknown;
  /** The schema text's problem found before sending, or null. */
  schemaProblem: string | null;
}) {
  const err = (k: string) => fieldErrors(error, `post_call_analysis.${k}`);
  return (
    <FieldGroup
      legend="Post-call analysis"
      hint="After an answered call ends, the LLM summarizes it, grades it and extracts data from it."
      errors={groupErrors(error, 'post_call_analysis', ANALYSIS_FIELDS)}
    >
      <CheckboxField
        label="Analyze calls after they end"
        name="post_call_analysis"
        checked={value.enabled}
        onChange={(e) => onChange({ ...value, enabled: e.target.checked })}
      />
      {value.enabled ? (
        <>
          <CheckboxField
            label="Summary"
            name="post_call_analysis.summary"
            checked={value.summary}
            onChange={(e) => onChange({ ...value, summary: e.target.checked })}
            errors={err('summary')}
          />
          <CheckboxField
            label="Grading"
            name="post_call_analysis.grading"
            checked={value.grading}
            onChange={(e) => onChange({ ...value, grading: e.target.checked })}
            errors={err('grading')}
            hint="A score from 0.0 to 1.0, the outcome, detected issues and one of the outcome labels."
          />
          <TextArea
            label="Extraction schema (JSON)"
            name="post_call_analysis.extraction_schema"
            rows={6}
            className="mono"
            spellCheck={false}
            value={value.extraction_schema}
            onChange={(e) => onChange({ ...value, extraction_schema: e.target.value })}
            errors={[...(schemaProblem ? [schemaProblem] : []), ...err('extraction_schema')]}
            hint={
              <>
                A JSON Schema of an object, filled from the conversation, e.g. <code>{SCHEMA_EXAMPLE}</code>. Empty for
                no extraction.
              </>
            }
          />
          <TextArea
            label="Outcome labels"
            name="post_call_analysis.outcome_labels"
            rows={3}
            value={value.outcome_labels}
            onChange={(e) => onChange({ ...value, outcome_labels: e.target.value })}
            errors={err('outcome_labels')}
            hint="One a line, e.g. appointment_booked; the grader picks one for each call."
          />
        </>
      ) : null}
    </FieldGroup>
  );
}
