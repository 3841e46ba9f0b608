import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import { sha256Hex } from '../shared/secret-box';

/** A console session lasts 12 h after its last use (renewed at most once an hour). */
export const CONSOLE_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const RENEW_AFTER_MS = 60 * 60 * 1000;
export const CONSOLE_SESSION_TOKEN_PREFIX = 'tpcs_';

export type ConsoleSessionRow = Row<'console_sessions'>;

export type ConsoleSessionSubject =
  { kind: 'org'; orgId: number; apiKeyId: string } | { kind: 'operator'; adminFingerprint: string };

/** Keyed fingerprint of the admin token: an operator session ends when the token changes. */
export function adminFingerprint(secretKey: Buffer, adminToken: string): string {
  return createHmac('sha256', secretKey).update(`console-admin:${adminToken}`).digest('hex');
}

/** Opens a session; the raw token goes into the cookie and is never stored. */
export async function openConsoleSession(
  db: Kysely<DB>,
  clock: Clock,
  ids: IdGenerator,
  subject: ConsoleSessionSubject,
): Promise<{ token: string; row: ConsoleSessionRow }> {
  const token = ids.token(CONSOLE_SESSION_TOKEN_PREFIX, 32);
  const nowMs = clock.nowMs();
  const row = await db
    .insertInto('console_sessions')
    .values({
      id: ids.uuid(),
      token_hash: sha256Hex(token),
      kind: subject.kind,
      org_id: subject.kind === 'org' ? subject.orgId : null,
      api_key_id: subject.kind === 'org' ? subject.apiKeyId : null,
      admin_fingerprint: subject.kind === 'operator' ? subject.adminFingerprint : null,
      created_at: new Date(nowMs).toISOString(),
      expires_at: new Date(nowMs + CONSOLE_SESSION_TTL_MS).toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // Housekeeping: expired sessions go away as new ones are opened (cheap, indexed).
  await db.deleteFrom('console_sessions').where('expires_at', '<', new Date(nowMs).toISOString()).execute();
  return { token, row };
}

/** The unexpired session of a raw cookie token (renewed when it is more than an hour old). */
export async function findConsoleSession(
  db: Kysely<DB>,
  clock: Clock,
  token: string,
): Promise<ConsoleSessionRow | undefined> {
  if (!token.startsWith(CONSOLE_SESSION_TOKEN_PREFIX) || token.length > 200) return undefined;
  const row = await db
    .selectFrom('console_sessions')
    .selectAll()
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  const nowMs = clock.nowMs();
  if (!row || Date.parse(row.expires_at) <= nowMs) return undefined;
  if (Date.parse(row.expires_at) - nowMs < CONSOLE_SESSION_TTL_MS - RENEW_AFTER_MS) {
    const expires_at = new Date(nowMs + CONSOLE_SESSION_TTL_MS).toISOString();
    await db.updateTable('console_sessions').set({ expires_at }).where('id', '=', row.id).execute();
    return { ...row, expires_at };
  }
  return row;
}

/** Sign-out: the token stops working at once. */
export async function closeConsoleSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('token_hash', '=', sha256Hex(token)).execute();
}
