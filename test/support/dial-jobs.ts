import { sql } from 'kysely';
import type { ApiHarness } from './api-harness';

/** Payloads of the `calls.dial` jobs queued so far (SQLite `jobs` table, or pg-boss's job table). */
export async function dialJobPayloads(h: ApiHarness): Promise<{ callId: number }[]> {
  const { store } = h.deps;
  if (store.dialect === 'sqlite') {
    const rows = await store.db
      .selectFrom('jobs')
      .select('payload')
      .where('queue', '=', 'calls.dial')
      .orderBy('id')
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as { callId: number });
  }
  const table = `${store.schema}_boss.job`;
  const exists = await sql<{ t: string | null }>`SELECT to_regclass(${table})::text AS t`.execute(store.db);
  if (!exists.rows[0]?.t) return []; // pg-boss not started yet: nothing queued
  const res = await sql<{
    data: { callId: number };
  }>`SELECT data FROM ${sql.raw(table)} WHERE name = 'calls.dial' ORDER BY created_on`.execute(store.db);
  return res.rows.map((r) => r.data);
}
