import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * A number is held by at most one org at a time: unique among phone numbers not released
 * (partial index, same on SQLite and PostgreSQL). Demo-pool hand-out and VoIP imports rely on
 * it to stay correct under concurrent requests.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createIndex('phone_numbers_held_unique')
    .on('phone_numbers')
    .column('number')
    .unique()
    .where(sql.ref('released_at'), 'is', null)
    .execute();
  await db.schema.createIndex('voip_verifications_org').on('voip_verifications').column('org_id').execute();
}
