import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import { sha256Hex } from '../shared/secret-box';
import { AppError } from '../shared/errors';

/** A client secret opens one socket within this time. */
export const REALTIME_SECRET_TTL_MS = 60_000;
export const REALTIME_SECRET_PREFIX = 'ek_';

/** The session a secret opens: a saved agent, or an inline product and language. */
export type SecretSession = { agent_id: number } | { product: string; language: string };

export interface IssuedSecret {
  id: string;
  value: string;
  expiresAtMs: number;
  session: SecretSession;
}

/** Issues a single-use client secret for `session` (POST /v1/realtime/sessions). Only its hash is stored. */
export async function issueRealtimeSecret(
  db: Kysely<DB>,
  clock: Clock,
  ids: IdGenerator,
  input: { orgId: number; apiKeyId: string; session: SecretSession },
): Promise<IssuedSecret> {
  const value = ids.token(REALTIME_SECRET_PREFIX, 24);
  const nowMs = clock.nowMs();
  const id = ids.token('sess_', 12);
  const expiresAtMs = nowMs + REALTIME_SECRET_TTL_MS;
  await db
    .insertInto('realtime_secrets')
    .values({
      id,
      secret_hash: sha256Hex(value),
      org_id: input.orgId,
      api_key_id: input.apiKeyId,
      session: JSON.stringify(input.session),
      created_at: new Date(nowMs).toISOString(),
      expires_at: new Date(expiresAtMs).toISOString(),
      used_at: null,
    })
    .execute();
  // Housekeeping: secrets expired for a day go away as new ones are issued.
  await db
    .deleteFrom('realtime_secrets')
    .where('expires_at', '<', new Date(nowMs - 86_400_000).toISOString())
    .execute();
  return { id, value, expiresAtMs, session: input.session };
}

/**
 * Uses a client secret: ONE guarded UPDATE marks it used, so two sockets racing with the same
 * secret cannot both open. Unknown, expired, used, or made by a key revoked since → 401.
 */
export async function consumeRealtimeSecret(
  db: Kysely<DB>,
  clock: Clock,
  value: string,
): Promise<{ orgId: number; session: SecretSession }> {
  const refused = () =>
    new AppError('realtime_secret_invalid', 'This client secret is unknown, expired or already used.');
  if (!value.startsWith(REALTIME_SECRET_PREFIX) || value.length > 200) throw refused();
  const nowIso = clock.nowIso();
  const row = await db
    .updateTable('realtime_secrets')
    .set({ used_at: nowIso })
    .where('secret_hash', '=', sha256Hex(value))
    .where('used_at', 'is', null)
    .where('expires_at', '>', nowIso)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw refused();
  const key = await db.selectFrom('api_keys').select('revoked_at').where('id', '=', row.api_key_id).executeTakeFirst();
  if (!key || key.revoked_at !== null) throw refused();
  return { orgId: Number(row.org_id), session: JSON.parse(row.session) as SecretSession };
}
