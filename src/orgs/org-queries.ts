import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';

export const MAX_ORG_NAME = 120;

export async function getOrg(db: Kysely<DB>, id: number): Promise<Row<'orgs'> | undefined> {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function renameOrg(
  db: Kysely<DB>,
  clock: Clock,
  id: number,
  name: string,
): Promise<Row<'orgs'> | undefined> {
  return db
    .updateTable('orgs')
    .set({ name, updated_at: clock.nowIso() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Every org, oldest first (operator admin API). */
export async function listAllOrgs(db: Kysely<DB>): Promise<Row<'orgs'>[]> {
  return db.selectFrom('orgs').selectAll().orderBy('id', 'asc').execute();
}
