import type { Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint } from './column-kinds';

/**
 * Client secrets of POST /v1/realtime/sessions (src/realtime/realtime-secrets.ts): a browser opens
 * ONE /v1/realtime socket with it instead of the org key. Only the secret's SHA-256 is stored,
 * with the key that made it, the session it opens (agent or inline product/language), its
 * expiry and when it was used (a used or expired secret is refused).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('realtime_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', bigint(dialect), (c) => c.notNull().references('orgs.id'))
    .addColumn('api_key_id', 'text', (c) => c.notNull().references('api_keys.id'))
    .addColumn('session', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('realtime_secrets_expires').on('realtime_secrets').column('expires_at').execute();
}
