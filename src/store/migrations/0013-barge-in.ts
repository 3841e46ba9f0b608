import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * Backchannels and barge-in (issue 10): agents gain `barge_in` (JSON: min_speech_ms, min_words,
 * filter_backchannels; null = the platform defaults, agents/barge-in-settings.ts).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('agents').addColumn('barge_in', 'text').execute();
}
