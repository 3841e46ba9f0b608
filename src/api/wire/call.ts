import { Type } from '@sinclair/typebox';
import type { Config } from '../../config/config';
import type { CallRow } from '../../calls/call-queries';
import { signRecordingUrl } from '../../calls/recording-url';
import { Nullable, Timestamp } from './common';
import { jsonObjectColumn } from '../../store/json-columns';
import { CallLatencyWire, callLatencyOf } from './call-latency';

/** Call object (thunderphone-api.md §3.12). */
export const CallWire = Type.Object({
  call_id: Type.Integer(),
  agent_id: Nullable(Type.Integer()),
  direction: Type.String({ description: 'inbound | outbound' }),
  from_number: Type.String(),
  to_number: Type.String(),
  start_time: Nullable(Timestamp),
  end_time: Nullable(Timestamp),
  duration_seconds: Nullable(Type.Integer()),
  status: Type.String({ description: 'in_progress | completed | failed' }),
  end_reason: Nullable(Type.String()),
  transfer_number: Nullable(Type.String()),
  recording_url: Nullable(
    Type.String({ description: 'expiring signed link (same as /audio), null without a recording' }),
  ),
  is_test_call: Type.Boolean(),
  is_simulation: Type.Boolean(),
  product: Nullable(Type.String()),
  voice: Nullable(Type.String()),
  billable_minutes: Nullable(Type.Integer()),
  billing_total_cents: Nullable(Type.Integer()),
  billed_at: Nullable(Timestamp),
  grade_score: Nullable(Type.Number({ description: 'latest post-call grade, 0.0–1.0' })),
  grade_status: Nullable(
    Type.String({ description: 'pending | completed | failed; null when no analysis was requested' }),
  ),
  grade_updated_at: Nullable(Timestamp),
  issue_count: Type.Integer({ description: 'issues the latest completed grade detected (grade.issues)' }),
  critical_issue_count: Type.Integer({ description: 'of those, the ones of severity critical' }),
  summary: Nullable(Type.String({ description: 'post-call summary written by the LLM' })),
  created_at: Timestamp,
  agent_version: Nullable(
    Type.Integer({
      description:
        "the saved agent's deployed revision when the call was placed or answered (null without a saved agent)",
    }),
  ),
  extracted_data: Nullable(
    Type.Object(
      {},
      { additionalProperties: true, description: "post-call data extraction, valid against the agent's schema" },
    ),
  ),
  answered_by: Nullable(
    Type.String({ description: 'outbound answering-machine detection: human | machine | unknown (null: not run)' }),
  ),
  answered_by_decision_ms: Nullable(Type.Integer({ description: 'answer → detection decision, ms' })),
  answered_by_guess_ms: Nullable(
    Type.Integer({
      description:
        "answer → the agent was let speak on a provisional 'person' guess, ms; with answered_by 'machine' the machine heard the agent begin",
    }),
  ),
  latency: CallLatencyWire,
  campaign_id: Nullable(
    Type.String({ description: "the campaign's public_id when a campaign placed this call (null otherwise)" }),
  ),
});

export function callToWire(c: CallRow, config: Config, nowMs: number) {
  return {
    call_id: Number(c.id),
    agent_id: c.agent_id === null ? null : Number(c.agent_id),
    direction: c.direction,
    from_number: c.from_number,
    to_number: c.to_number,
    start_time: c.start_time,
    end_time: c.end_time,
    duration_seconds: c.duration_seconds,
    status: c.status,
    end_reason: c.end_reason,
    transfer_number: c.transfer_number,
    recording_url: c.recording_path ? signRecordingUrl(config, Number(c.id), nowMs).url : null,
    is_test_call: c.is_test_call === 1,
    is_simulation: false,
    product: c.product,
    voice: c.voice,
    billable_minutes: c.billable_minutes,
    billing_total_cents: c.billing_total_cents === null ? null : Number(c.billing_total_cents),
    billed_at: c.billed_at,
    grade_score: c.grade_score ?? null,
    grade_status: c.grade_status ?? null,
    grade_updated_at: c.grade_updated_at ?? null,
    ...issueCounts(c),
    summary: c.summary ?? null,
    created_at: c.created_at,
    agent_version: c.agent_version ?? null,
    extracted_data: c.extracted_data ? jsonObjectColumn(c.extracted_data) : null,
    answered_by: c.answered_by ?? null,
    answered_by_decision_ms: c.answered_by_ms ?? null,
    answered_by_guess_ms: c.answered_by_guess_ms ?? null,
    latency: callLatencyOf(c.metrics),
    campaign_id: c.campaign_public_id ?? null,
  };
}

/** The latest completed grade's detected issues (calls.grade.issues); none before grading. */
function issueCounts(c: Pick<CallRow, 'grade' | 'grade_status'>): {
  issue_count: number;
  critical_issue_count: number;
} {
  if (c.grade_status !== 'completed' || !c.grade) return { issue_count: 0, critical_issue_count: 0 };
  const issues = jsonObjectColumn(c.grade).issues;
  const list = Array.isArray(issues) ? (issues as { severity?: unknown }[]) : [];
  return {
    issue_count: list.length,
    critical_issue_count: list.filter((i) => i?.severity === 'critical').length,
  };
}

/** Column order of GET /v1/calls/export?format=csv. */
export const CALL_CSV_COLUMNS = Object.keys(CallWire.properties) as (keyof typeof CallWire.properties)[];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote when needed; neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^[+-]?[0-9]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function callsToCsv(calls: ReturnType<typeof callToWire>[]): string {
  const lines = [CALL_CSV_COLUMNS.join(',')];
  for (const c of calls) lines.push(CALL_CSV_COLUMNS.map((k) => csvCell(c[k])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export const CallFilterQuery = Type.Object({
  agent_id: Type.Optional(Type.Integer({ minimum: 1 })),
  direction: Type.Optional(
    Type.Union([Type.Literal('inbound'), Type.Literal('outbound'), Type.Literal('mic'), Type.Literal('widget')]),
  ),
  status: Type.Optional(Type.Union([Type.Literal('in_progress'), Type.Literal('completed'), Type.Literal('failed')])),
  from_number: Type.Optional(Type.String({ maxLength: 32 })),
  to_number: Type.Optional(Type.String({ maxLength: 32 })),
  start_date: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601; calls created at or after' })),
  end_date: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601; calls created at or before' })),
  campaign_id: Type.Optional(
    Type.String({ format: 'uuid', description: "a campaign's public_id: only the calls it placed" }),
  ),
});
