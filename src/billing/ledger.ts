import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, Row } from '../store/tables';
import { AppError } from '../shared/errors';

export type LedgerKind = 'credit' | 'top_up' | 'call_charge' | 'adjustment' | 'refund';

export interface LedgerEntryInput {
  orgId: number;
  /** Signed: positive adds to the balance, negative takes from it. */
  amountCents: number;
  kind: LedgerKind;
  description: string;
  callId?: number | null;
  /** Idempotency reference, unique per org (e.g. `call:42`): a second entry with it is not made. */
  reference?: string | null;
  nowIso: string;
}

export interface LedgerResult {
  entry: Row<'ledger_entries'>;
  /** False when an entry with the same reference already existed (nothing changed). */
  created: boolean;
}

/**
 * The only way a balance changes: one UPDATE of orgs.balance_cents and one ledger row, in the
 * caller's transaction (or a new one). Append-only: entries are never updated or deleted.
 */
export async function applyLedgerEntry(
  db: Kysely<DB> | Transaction<DB>,
  input: LedgerEntryInput,
): Promise<LedgerResult> {
  if (!Number.isInteger(input.amountCents)) throw new AppError('amount_not_integer', 'Amounts are whole cents');
  const run = async (trx: Transaction<DB>): Promise<LedgerResult> => {
    if (input.reference != null) {
      const existing = await trx
        .selectFrom('ledger_entries')
        .selectAll()
        .where('org_id', '=', input.orgId)
        .where('reference', '=', input.reference)
        .executeTakeFirst();
      if (existing) return { entry: existing, created: false };
    }
    const org = await trx
      .updateTable('orgs')
      .set({ balance_cents: sql`balance_cents + ${input.amountCents}`, updated_at: input.nowIso })
      .where('id', '=', input.orgId)
      .returning('balance_cents')
      .executeTakeFirst();
    if (!org) throw new AppError('org_not_found', 'Organization not found');
    const entry = await trx
      .insertInto('ledger_entries')
      .values({
        org_id: input.orgId,
        amount_cents: input.amountCents,
        balance_after_cents: Number(org.balance_cents),
        kind: input.kind,
        description: input.description,
        call_id: input.callId ?? null,
        reference: input.reference ?? null,
        created_at: input.nowIso,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { entry, created: true };
  };
  return db.isTransaction ? run(db as Transaction<DB>) : db.transaction().execute(run);
}
