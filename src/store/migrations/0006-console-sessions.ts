import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint } from './column-kinds';

/**
 * Web console sessions (src/orgs/console-sessions.ts): the browser holds an opaque token in an
 * httpOnly cookie, the server keeps only its SHA-256 with the key (or operator) it acts as and an
 * expiry. Also an index on calls.updated_at for the live call feed (src/calls/call-change-feed.ts),
 * which reads the calls changed since its last poll.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_id', bigint(dialect), (c) => c.references('orgs.id'))
    .addColumn('api_key_id', 'text', (c) => c.references('api_keys.id'))
    .addColumn('admin_fingerprint', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('console_sessions_expires').on('console_sessions').column('expires_at').execute();
  await db.schema.createIndex('calls_updated_at').on('calls').columns(['updated_at', 'id']).execute();
}
