import type { Kysely } from 'kysely';
import type { DB, Row } from '../store/tables';
import type { Clock } from '../shared/clock';
import { AppError, fieldsError } from '../shared/errors';
import { heldCents } from './balance-holds';

/**
 * Billing account of an org (thunderphone-api.md §3.14), plus two additive fields:
 * `held_cents` (reserved by calls in progress: their first minute from admission, each next
 * minute shortly before it starts, or what they have used if more) and `available_cents`
 * (`balance_cents − held_cents`: what new calls can use). `balance_cents` is the ledger balance;
 * a hold is settled into one debit when its call ends.
 */
export interface BillingAccount {
  balance_cents: number;
  balance_usd: string;
  held_cents: number;
  available_cents: number;
  currency: 'usd';
  auto_reload_enabled: boolean;
  auto_reload_minimum_cents: number;
  auto_reload_amount_cents: number;
  auto_reload_monthly_limit_cents: number | null;
  has_payment_method: boolean;
}

export interface AutoReloadPatch {
  auto_reload_enabled?: boolean;
  auto_reload_minimum_cents?: number;
  auto_reload_amount_cents?: number;
  auto_reload_monthly_limit_cents?: number | null;
}

/** `-1250` → `"-12.50"`; `125000` → `"1250.00"`. */
export function centsToUsd(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function billingAccountOf(org: Row<'orgs'>, held: number): BillingAccount {
  return {
    balance_cents: Number(org.balance_cents),
    balance_usd: centsToUsd(Number(org.balance_cents)),
    held_cents: held,
    available_cents: Number(org.balance_cents) - held,
    currency: 'usd',
    auto_reload_enabled: org.auto_reload_enabled === 1,
    auto_reload_minimum_cents: Number(org.auto_reload_minimum_cents),
    auto_reload_amount_cents: Number(org.auto_reload_amount_cents),
    auto_reload_monthly_limit_cents:
      org.auto_reload_monthly_limit_cents === null ? null : Number(org.auto_reload_monthly_limit_cents),
    has_payment_method: org.has_payment_method === 1,
  };
}

export async function getBillingAccount(db: Kysely<DB>, clock: Clock, orgId: number): Promise<BillingAccount> {
  const org = await db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AppError('org_not_found', 'Organization not found');
  return billingAccountOf(org, await heldCents(db, orgId, clock.nowMs()));
}

/**
 * Updates the auto-reload settings. Field rules first (400), then: enabling auto-reload needs a
 * saved payment method → 422 `payment_method_required` (this server has no payment provider, so
 * no org has one). Nothing changes on any error.
 */
export async function updateAutoReload(
  db: Kysely<DB>,
  clock: Clock,
  orgId: number,
  patch: AutoReloadPatch,
): Promise<BillingAccount> {
  const org = await db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new AppError('org_not_found', 'Organization not found');
  const fields: Record<string, string[]> = {};
  const add = (f: string, m: string) => (fields[f] ??= []).push(m);
  const min = patch.auto_reload_minimum_cents;
  const amount = patch.auto_reload_amount_cents;
  const cap = patch.auto_reload_monthly_limit_cents;
  if (min !== undefined && (!Number.isInteger(min) || min < 0))
    add('auto_reload_minimum_cents', 'Must be a whole number of cents ≥ 0.');
  if (amount !== undefined && (!Number.isInteger(amount) || amount <= 0))
    add('auto_reload_amount_cents', 'Must be a whole number of cents > 0.');
  if (cap !== undefined && cap !== null && (!Number.isInteger(cap) || cap < 0))
    add('auto_reload_monthly_limit_cents', 'Must be a whole number of cents ≥ 0, or null.');
  const enabling = patch.auto_reload_enabled === true;
  if (enabling) {
    if (min === undefined && org.auto_reload_enabled !== 1)
      add('auto_reload_minimum_cents', 'Required when enabling auto-reload.');
    if (amount === undefined && Number(org.auto_reload_amount_cents) <= 0)
      add('auto_reload_amount_cents', 'Required when enabling auto-reload.');
  }
  if (Object.keys(fields).length > 0) throw fieldsError(fields);
  if (enabling && org.has_payment_method !== 1)
    throw new AppError('payment_method_required', 'Add a payment method before enabling auto-reload.');
  const updated = await db
    .updateTable('orgs')
    .set({
      ...(patch.auto_reload_enabled === undefined ? {} : { auto_reload_enabled: patch.auto_reload_enabled ? 1 : 0 }),
      ...(min === undefined ? {} : { auto_reload_minimum_cents: min }),
      ...(amount === undefined ? {} : { auto_reload_amount_cents: amount }),
      ...(cap === undefined ? {} : { auto_reload_monthly_limit_cents: cap }),
      updated_at: clock.nowIso(),
    })
    .where('id', '=', orgId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return billingAccountOf(updated, await heldCents(db, orgId, clock.nowMs()));
}

export interface LedgerPage {
  results: Row<'ledger_entries'>[];
  total: number;
  limit: number;
  offset: number;
}

/** The org's ledger, newest first. */
export async function listTransactions(
  db: Kysely<DB>,
  orgId: number,
  limit: number,
  offset: number,
): Promise<LedgerPage> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { results: rows, total: Number(count.n), limit, offset };
}
