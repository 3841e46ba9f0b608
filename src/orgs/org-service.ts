import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import { applyLedgerEntry } from '../billing/ledger';
import { issueApiKey } from './api-keys';

export interface CreateOrgInput {
  name: string;
  balanceCents?: number;
  trial?: boolean;
}

export interface CreatedOrg {
  org: Row<'orgs'>;
  apiKey: string;
}

/** Creates an org, its opening balance (as a ledger credit) and a first API key, atomically. */
export async function createOrg(
  db: Kysely<DB>,
  clock: Clock,
  ids: IdGenerator,
  input: CreateOrgInput,
): Promise<CreatedOrg> {
  const now = clock.nowIso();
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('orgs')
      .values({
        name: input.name,
        trial: input.trial === true ? 1 : 0,
        balance_cents: 0,
        auto_reload_enabled: 0,
        auto_reload_minimum_cents: 0,
        auto_reload_amount_cents: 0,
        auto_reload_monthly_limit_cents: null,
        has_payment_method: 0,
        max_concurrent_calls: null,
        webhook_url: null,
        webhook_secret_enc: null,
        webhook_created_at: null,
        webhook_updated_at: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const orgId = Number(inserted.id);
    if ((input.balanceCents ?? 0) !== 0) {
      await applyLedgerEntry(trx, {
        orgId,
        amountCents: input.balanceCents ?? 0,
        kind: 'credit',
        description: 'Opening balance',
        nowIso: now,
      });
    }
    const key = await issueApiKey(trx, ids, orgId, 'Default key', now);
    const org = await trx.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow();
    return { org, apiKey: key.rawKey };
  });
}
