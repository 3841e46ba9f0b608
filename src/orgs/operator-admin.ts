import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { IdGenerator } from '../shared/ids';
import { AppError, fieldsError } from '../shared/errors';
import { applyLedgerEntry } from '../billing/ledger';
import { createOrg, type CreatedOrg } from './org-service';
import { MAX_ORG_NAME, getOrg } from './org-queries';

/** Largest opening balance or single credit the operator tools take: $10M, far from 2^53. */
export const MAX_ADMIN_AMOUNT_CENTS = 1_000_000_000;

const invalid = (field: string, msg: string) => fieldsError({ [field]: [msg] });

/** Operator: create an org with an opening balance (a ledger credit) and its first API key. */
export async function adminCreateOrg(
  db: Kysely<DB>,
  clock: Clock,
  ids: IdGenerator,
  input: { name: string; balanceCents?: number; trial?: boolean },
): Promise<CreatedOrg> {
  const balance = input.balanceCents ?? 0;
  if (input.name.trim() === '' || input.name.length > MAX_ORG_NAME)
    throw invalid('name', `Must be 1-${MAX_ORG_NAME} characters.`);
  if (!Number.isInteger(balance) || balance < 0 || balance > MAX_ADMIN_AMOUNT_CENTS)
    throw invalid('balance_cents', `Must be a whole number of cents from 0 to ${MAX_ADMIN_AMOUNT_CENTS}.`);
  return createOrg(db, clock, ids, { name: input.name, balanceCents: balance, trial: input.trial === true });
}

/** Operator: add (positive) or remove (negative) credit; one ledger row, balance moves by exactly that. */
export async function adminCredit(
  db: Kysely<DB>,
  clock: Clock,
  orgId: number,
  amountCents: number,
  description?: string,
): Promise<Row<'ledger_entries'>> {
  if (!Number.isInteger(amountCents) || amountCents === 0 || Math.abs(amountCents) > MAX_ADMIN_AMOUNT_CENTS)
    throw invalid(
      'amount_cents',
      `Must be a non-zero whole number of cents, at most ${MAX_ADMIN_AMOUNT_CENTS} either way.`,
    );
  if (description !== undefined && description.length > 500)
    throw invalid('description', 'Ensure this field has no more than 500 characters.');
  if (!(await getOrg(db, orgId))) throw new AppError('org_not_found', 'Organization not found');
  const { entry } = await applyLedgerEntry(db, {
    orgId,
    amountCents,
    kind: amountCents > 0 ? 'credit' : 'adjustment',
    description: description?.trim() || (amountCents > 0 ? 'Operator credit' : 'Operator adjustment'),
    nowIso: clock.nowIso(),
  });
  return entry;
}
