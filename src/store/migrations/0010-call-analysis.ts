import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * Post-call analysis and voicemail detection (issue 12, thunderphone-api.md §3.12, §5.6).
 * agents: `voicemail_action` (hang_up | leave_message | continue), `voicemail_message`, and
 * `post_call_analysis` (JSON: summary, grading, extraction_schema, outcome_labels; null = off).
 * calls: the latest analysis run — `grade_status` (pending | completed | failed), `grade_score`
 * (0.0–1.0), `grade_updated_at`, `summary`, `grade` (JSON: the whole result or the error),
 * `extracted_data` (JSON, valid against the agent's schema) — and who answered an outbound call:
 * `answered_by` (human | machine | unknown) with `answered_by_ms` (answer → decision).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('agents')
    .addColumn('voicemail_action', 'text', (c) => c.notNull().defaultTo('continue'))
    .execute();
  await db.schema
    .alterTable('agents')
    .addColumn('voicemail_message', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('agents').addColumn('post_call_analysis', 'text').execute();
  for (const [name, type] of [
    ['summary', 'text'],
    ['grade_status', 'text'],
    ['grade_score', 'double precision'],
    ['grade_updated_at', 'text'],
    ['grade', 'text'],
    ['extracted_data', 'text'],
    ['answered_by', 'text'],
    ['answered_by_ms', 'integer'],
  ] as const)
    await db.schema.alterTable('calls').addColumn(name, type).execute();
}
