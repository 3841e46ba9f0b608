import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * The provisional "person" guess of voicemail detection (issue 12): calls gain
 * `answered_by_guess_ms` — answer → the screen let the agent speak on the detector's first
 * provisional guess of a person (null: no guess released the agent). With `answered_by` machine
 * the machine heard the start of the agent's greeting.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('calls').addColumn('answered_by_guess_ms', 'integer').execute();
}
