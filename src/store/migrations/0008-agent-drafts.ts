import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';

/**
 * Agent drafts and deployed revisions (thunderphone-api.md §3.7). The `agents` row keeps the
 * DEPLOYED (live) revision — what calls use — with `version` its revision number; `draft` holds
 * the pending settings (JSON, null = nothing pending), always on top of that revision (only a
 * deploy changes the live revision, and a deploy consumes the draft).
 * `deploy_mode`: `auto` (PATCH/PUT deploy at once: agents whose clients never used the draft
 * endpoints) or `manual` (PATCH/PUT write the draft; POST .../deploy makes it live).
 * `calls.agent_version`: the revision a call runs with (the live one when it was placed/answered).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('agents').addColumn('draft', 'text').execute();
  await db.schema.alterTable('agents').addColumn('draft_updated_at', 'text').execute();
  await db.schema
    .alterTable('agents')
    .addColumn('deploy_mode', 'text', (c) => c.notNull().defaultTo('auto'))
    .execute();
  await db.schema.alterTable('agents').addColumn('deployed_at', 'text').execute();
  await sql`update agents set deployed_at = updated_at`.execute(db);
  await db.schema.alterTable('calls').addColumn('agent_version', 'integer').execute();
}
