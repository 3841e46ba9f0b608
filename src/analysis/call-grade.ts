import type { Row } from '../store/tables';
import { jsonObjectColumn } from '../store/json-columns';
import type { AnalysisResult } from './call-grader';

/** The latest analysis of a call (GET /v1/calls/{id}/grade): its run state and what it produced. */
export interface CallGrade {
  call_id: number;
  status: 'pending' | 'completed' | 'failed';
  score: number | null;
  call_outcome: string | null;
  outcome_label: string | null;
  summary: string | null;
  issues: AnalysisResult['issues'];
  extracted_data: Record<string, unknown> | null;
  grader_model: string | null;
  /** Why the run failed (null otherwise). */
  error: string | null;
  updated_at: string | null;
}

type GradeColumns = Pick<
  Row<'calls'>,
  'id' | 'grade_status' | 'grade_score' | 'summary' | 'grade' | 'extracted_data' | 'grade_updated_at'
>;

/** The call's grade, or undefined when its analysis never ran. */
export function callGradeOf(call: GradeColumns): CallGrade | undefined {
  const status = call.grade_status;
  if (status !== 'pending' && status !== 'completed' && status !== 'failed') return undefined;
  const g = jsonObjectColumn(call.grade);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    call_id: Number(call.id),
    status,
    score: call.grade_score,
    call_outcome: str(g.call_outcome),
    outcome_label: str(g.outcome_label),
    summary: call.summary,
    issues: Array.isArray(g.issues) ? (g.issues as CallGrade['issues']) : [],
    extracted_data: call.extracted_data === null ? null : jsonObjectColumn(call.extracted_data),
    grader_model: str(g.grader_model),
    error: status === 'failed' ? str(g.error) : null,
    updated_at: call.grade_updated_at,
  };
}
