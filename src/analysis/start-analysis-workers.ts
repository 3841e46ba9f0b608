import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/tables';
import type { JobQueue, Job } from '../jobs/job-queue';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { jsonArrayColumn, jsonObjectColumn } from '../store/json-columns';
import { CALL_ANALYSIS_QUEUE } from './call-analysis-queue';
import { AnalysisError, CallGrader, type AnalysisResult, type LlmEndpoint, type TranscriptLine } from './call-grader';
import type { PostCallAnalysisSettings } from './analysis-settings';

/** The webhook outbox as the analysis uses it: an event written inside our transaction. */
export interface AnalysisEventEmitter {
  emit(
    trx: Transaction<DB> | Kysely<DB>,
    event: { orgId: number; type: string; data: Record<string, unknown> },
  ): Promise<unknown>;
}

export interface AnalysisWorkerDeps {
  db: Kysely<DB>;
  queue: JobQueue;
  clock: Clock;
  log: Logger;
  events: AnalysisEventEmitter;
  /** The server's LLM (LLM_BASE_URL / LLM_API_KEY / LLM_MODEL); undefined → every run fails. */
  llm: LlmEndpoint | undefined;
  timeoutMs?: number;
}

/** A run requested for a call whose agent has no analysis settings (POST .../grade): everything but extraction. */
export const DEFAULT_ANALYSIS: PostCallAnalysisSettings = {
  summary: true,
  grading: true,
  extraction_schema: null,
  outcome_labels: [],
};

/** Registers the `calls.analyze` worker. */
export async function startAnalysisWorkers(deps: AnalysisWorkerDeps): Promise<void> {
  const grader = deps.llm ? new CallGrader(deps.llm, { timeoutMs: deps.timeoutMs }) : undefined;
  await deps.queue.work<{ callId: number }>(CALL_ANALYSIS_QUEUE, (job) => analyzeCall(deps, grader, job), {
    concurrency: 2,
  });
}

/**
 * One run: reads the ended call, asks the grader, then in ONE transaction writes the result
 * (`summary`, `grade_score`, `grade_status: completed`, `grade`, `extracted_data`) and emits
 * `call.graded`. A failure is retried once by the queue, then stored as `grade_status: failed`
 * with the reason — nothing else of the call (status, end reason, bill) is ever written here.
 */
export async function analyzeCall(
  deps: AnalysisWorkerDeps,
  grader: CallGrader | undefined,
  job: Job<{ callId: number }>,
): Promise<void> {
  const callId = Number(job.payload.callId);
  const call = await deps.db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
  if (!call || call.grade_status !== 'pending' || call.status === 'in_progress') return;
  const config = jsonObjectColumn(call.config);
  const settings = (config.post_call_analysis as PostCallAnalysisSettings | null | undefined) ?? DEFAULT_ANALYSIS;
  let result: AnalysisResult;
  try {
    if (!grader) throw new AnalysisError('no LLM is configured (LLM_BASE_URL)');
    result = await grader.grade({
      settings,
      agentPrompt: typeof config.prompt === 'string' ? config.prompt : '',
      transcript: jsonArrayColumn(call.transcript) as TranscriptLine[],
      endReason: call.end_reason,
      durationSeconds: call.duration_seconds,
    });
  } catch (err) {
    const reason = err instanceof AnalysisError ? err.message : 'analysis failed';
    if (!(err instanceof AnalysisError)) deps.log.error({ err, callId }, 'call analysis crashed');
    if (job.attempt < job.maxAttempts) throw err;
    deps.log.warn({ callId, reason }, 'call analysis failed');
    await deps.db
      .updateTable('calls')
      .set({
        grade_status: 'failed',
        grade_updated_at: deps.clock.nowIso(),
        grade: JSON.stringify({ error: reason, grader_model: grader?.model ?? null }),
      })
      .where('id', '=', callId)
      .where('grade_status', '=', 'pending')
      .execute();
    return;
  }
  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.nowIso();
    const updated = await trx
      .updateTable('calls')
      .set({
        grade_status: 'completed',
        grade_updated_at: now,
        ...(result.summary !== null ? { summary: result.summary } : {}),
        ...(result.score !== null ? { grade_score: result.score } : {}),
        ...(result.extracted_data !== null ? { extracted_data: JSON.stringify(result.extracted_data) } : {}),
        grade: JSON.stringify({
          call_outcome: result.call_outcome,
          outcome_label: result.outcome_label,
          issues: result.issues,
          grader_model: result.grader_model,
        }),
      })
      .where('id', '=', callId)
      .where('grade_status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await deps.events.emit(trx, {
      orgId: Number(call.org_id),
      type: 'call.graded',
      data: {
        call_id: callId,
        direction: call.direction,
        grade: {
          score: result.score,
          call_outcome: result.call_outcome,
          grader_model: result.grader_model,
          summary: result.summary,
          issues: result.issues,
        },
        report: { outcome_label: result.outcome_label, extracted_data: result.extracted_data },
        agent_name: await agentName(trx, call.agent_id, config),
      },
    });
  });
}

async function agentName(
  trx: Transaction<DB>,
  agentId: number | null,
  config: Record<string, unknown>,
): Promise<string | null> {
  if (agentId !== null) {
    const a = await trx.selectFrom('agents').select('name').where('id', '=', agentId).executeTakeFirst();
    if (a) return a.name;
  }
  return typeof config.name === 'string' ? config.name : null;
}
