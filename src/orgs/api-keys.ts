import type { Kysely, Transaction } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { IdGenerator } from '../shared/ids';
import { sha256Hex } from '../shared/secret-box';

export const API_KEY_PREFIX = 'sk_live_';

export interface IssuedApiKey {
  row: Row<'api_keys'>;
  /** The raw key; shown to the user once and never stored. */
  rawKey: string;
}

/** Creates an API key: `sk_live_` + 48 hex chars; stored as SHA-256, `key_prefix` = first 15 chars. */
export async function issueApiKey(
  db: Kysely<DB> | Transaction<DB>,
  ids: IdGenerator,
  orgId: number,
  name: string,
  nowIso: string,
): Promise<IssuedApiKey> {
  const rawKey = ids.token(API_KEY_PREFIX, 24);
  const row = await db
    .insertInto('api_keys')
    .values({
      id: ids.uuid(),
      org_id: orgId,
      name,
      key_prefix: rawKey.slice(0, 15),
      key_hash: sha256Hex(rawKey),
      created_at: nowIso,
      last_used_at: null,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, rawKey };
}

/** Finds the active key for a raw bearer value, or undefined. */
export async function findActiveApiKey(db: Kysely<DB>, rawKey: string): Promise<Row<'api_keys'> | undefined> {
  if (!rawKey.startsWith(API_KEY_PREFIX) || rawKey.length > 200) return undefined;
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', sha256Hex(rawKey))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Keys of an org, active and revoked, newest first. */
export async function listApiKeys(db: Kysely<DB>, orgId: number): Promise<Row<'api_keys'>[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Revokes a key of the org (permanent; requests with it get 401 from then on, including the
 * request's own key). Returns false when the org has no such key. Revoking twice is a no-op.
 */
export async function revokeApiKey(db: Kysely<DB>, orgId: number, keyId: string, nowIso: string): Promise<boolean> {
  const key = await db
    .selectFrom('api_keys')
    .select(['id', 'revoked_at'])
    .where('id', '=', keyId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!key) return false;
  if (key.revoked_at === null)
    await db.updateTable('api_keys').set({ revoked_at: nowIso }).where('id', '=', keyId).execute();
  return true;
}
