import { sql, type Kysely } from 'kysely';
import type { Store } from './db';
import { systemClock } from '../shared/clock';
import { MIGRATIONS, type Migration } from './migrations/index';

/**
 * Applies pending migrations in order, each in its own transaction, recording them in
 * `schema_migrations`. On PostgreSQL an advisory lock serialises concurrent starters.
 */
export async function migrate(store: Store, migrations: Migration[] = MIGRATIONS): Promise<string[]> {
  const db = store.db as unknown as Kysely<{ schema_migrations: { name: string; applied_at: string } }>;
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const applied: string[] = [];
  await db.transaction().execute(async (trx) => {
    if (store.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(4242001)`.execute(trx);
    const done = new Set((await trx.selectFrom('schema_migrations').select('name').execute()).map((r) => r.name));
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await m.up(trx as unknown as Kysely<unknown>, store.dialect);
      await trx.insertInto('schema_migrations').values({ name: m.name, applied_at: systemClock.nowIso() }).execute();
      applied.push(m.name);
    }
  });
  return applied;
}
