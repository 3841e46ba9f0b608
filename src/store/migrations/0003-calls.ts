import type { Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * Call runtime columns: `phase` (calls/call-state.ts; null = queued), `heartbeat_at` (the owner
 * process writes it while the call runs, so start-up recovery knows how long a call of a dead
 * process lasted at least) and `dialed_at` (when dialing started, for FIFO admission).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('calls').addColumn('phase', 'text').execute();
  await db.schema.alterTable('calls').addColumn('heartbeat_at', 'text').execute();
  await db.schema.alterTable('calls').addColumn('dialed_at', 'text').execute();
  await db.schema.createIndex('calls_org_phase').on('calls').columns(['org_id', 'status', 'phase']).execute();
}
