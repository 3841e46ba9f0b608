import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint } from './column-kinds';

/**
 * TRUNK_CALLS_PER_SECOND across every server on the database: one row per VoIP connection with
 * the epoch ms of its next free dial slot, advanced by one atomic UPDATE per outbound call
 * (calls/trunk-dial-slots.ts), so two servers cannot both take the same slot.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('trunk_dial_slots')
    .addColumn('voip_connection_id', bigint(dialect), (c) => c.primaryKey().references('voip_connections.id'))
    .addColumn('next_slot_ms', bigint(dialect), (c) => c.notNull())
    .execute();
}
