import type { PostCallAnalysis } from '../../api/types';
import { CheckboxField, FieldGroup, TextArea, fieldErrors, groupErrors } from '../../ui/form';

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

export const ANALYSIS_FIELDS = [
  'post_call_analysis.summary',
  'post_call_analysis.grading',
  'post_call_analysis.extraction_schema',
  'post_call_analysis.outcome_labels',
];

export function analysisForm(a: PostCallAnalysis | null | undefined): AnalysisForm {
  return {
    enabled: !!a,
    summary: a?.summary ?? true,
    grading: a?.grading ?? true,
    extraction_schema: a?.extraction_schema ? JSON.stringify(a.extraction_schema, null, 2) : '',
    outcome_labels: (a?.outcome_labels ?? []).join('\n'),
  };
}

const SCHEMA_EXAMPLE = '{"type": "object", "properties": {"callback_time": {"type": "string"}}}';

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
