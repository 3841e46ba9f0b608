import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * `calls.sip_dialog`: the confirmed SIP dialog of an answered call (JSON: Call-ID, local/remote
 * tags and From/To values, remote target, route set, local CSeq, transport and where in-dialog
 * requests go), written when the call is answered, so that the process that recovers the call
 * after a crash can send the trunk a BYE. `calls.sip_call_id` is filled at the same moment.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('calls').addColumn('sip_dialog', 'text').execute();
}
