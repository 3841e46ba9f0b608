import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../store/tables';
import { billableMinutes } from './billable-minutes';

/**
 * Balance holds: money reserved for calls while they run, so concurrent calls — in one process
 * or on several servers sharing the database — cannot spend the same cents. A hold moves no
 * money (only the ledger does); it lowers what is *available*:
 *
 *   available = balance − Σ over the org's open holds of max(reserved, the call's running usage)
 *
 * where running usage is what the call would cost if it ended now (whole minutes of talk since
 * it was answered, at the hold's rate). Every function here that reads `available` and then
 * reserves first locks the org's balance row (lockBalance), which serialises them — and the
 * ledger, whose UPDATE takes the same lock — per org on both dialects.
 */

export type HoldStatus = 'held' | 'settled' | 'released';

export interface ReserveInput {
  orgId: number;
  callId: number;
  rateCentsPerMinute: number;
  nowIso: string;
  nowMs: number;
}

export type ReserveResult = { ok: true; amountCents: number } | { ok: false; availableCents: number };

export interface SettleInput {
  orgId: number;
  callId: number;
  /** What the call costs by its talk time (0 when it never connected). */
  chargeCents: number;
  nowIso: string;
  nowMs: number;
}

export interface Settlement {
  /** What may be debited: the charge, capped so the balance never goes below zero. */
  debitCents: number;
  /** True when the cap cut the charge (the call ran past what it had reserved). */
  capped: boolean;
  /** What the call's hold had reserved (0 without a hold). */
  heldCents: number;
}

interface OpenHold {
  call_id: number;
  amount_cents: number;
  rate_cents_per_minute: number;
  answered_at: string | null;
}

/**
 * Locks the org's balance row until the transaction ends and returns the balance (undefined for
 * an unknown org). PostgreSQL: a row lock (a no-op UPDATE, like the ledger's); SQLite: the
 * database write lock, taken before anything is read.
 */
export async function lockBalance(trx: Transaction<DB>, orgId: number): Promise<number | undefined> {
  const row = await trx
    .updateTable('orgs')
    .set({ balance_cents: sql`balance_cents` })
    .where('id', '=', orgId)
    .returning('balance_cents')
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.balance_cents);
}

/** Cents the org's running calls have reserved or already used (what `available` leaves out). */
export async function heldCents(db: Kysely<DB> | Transaction<DB>, orgId: number, nowMs: number): Promise<number> {
  return (await openHolds(db, orgId)).reduce((sum, h) => sum + committed(h, nowMs), 0);
}

/**
 * Reserves the first minute of a call at admission, inside the caller's transaction: refused
 * (`ok: false`) when the available balance does not pay one minute at the call's rate. A second
 * reservation for the same call is not made (the first stands).
 */
export async function reserveHold(trx: Transaction<DB>, input: ReserveInput): Promise<ReserveResult> {
  const balance = (await lockBalance(trx, input.orgId)) ?? 0;
  const holds = await openHolds(trx, input.orgId);
  const existing = holds.find((h) => h.call_id === input.callId);
  if (existing) return { ok: true, amountCents: Number(existing.amount_cents) };
  const available = balance - holds.reduce((sum, h) => sum + committed(h, input.nowMs), 0);
  const amount = Math.max(0, input.rateCentsPerMinute);
  if (available < amount) return { ok: false, availableCents: available };
  await trx
    .insertInto('balance_holds')
    .values({
      org_id: input.orgId,
      call_id: input.callId,
      rate_cents_per_minute: amount,
      amount_cents: amount,
      status: 'held',
      charged_cents: null,
      created_at: input.nowIso,
      updated_at: input.nowIso,
      closed_at: null,
    })
    .execute();
  return { ok: true, amountCents: amount };
}

/**
 * Extends a running call's hold to cover `minutes` minutes (the balance guard, shortly before
 * each minute starts). False when the available balance does not pay the difference — the call
 * must end inside the minutes already reserved — or the call has no open hold.
 */
export async function extendHold(
  db: Kysely<DB>,
  input: { orgId: number; callId: number; minutes: number; nowIso: string; nowMs: number },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const balance = (await lockBalance(trx, input.orgId)) ?? 0;
    const holds = await openHolds(trx, input.orgId);
    const own = holds.find((h) => h.call_id === input.callId);
    if (!own) return false;
    const target = input.minutes * Number(own.rate_cents_per_minute);
    const ownCommitted = committed(own, input.nowMs);
    if (target <= Number(own.amount_cents)) return true;
    const free = balance - holds.reduce((sum, h) => sum + committed(h, input.nowMs), 0);
    if (target > ownCommitted && free < target - ownCommitted) return false;
    await trx
      .updateTable('balance_holds')
      .set({ amount_cents: target, updated_at: input.nowIso })
      .where('call_id', '=', input.callId)
      .where('status', '=', 'held')
      .execute();
    return true;
  });
}

/**
 * Closes a call's hold inside the finalizer's transaction (which debits the ledger with the
 * returned amount): `settled` with the debit, or `released` when nothing is charged. The debit is
 * the charge, capped so the balance never goes below zero and another running call's reservation
 * is not spent: a call may always use what it reserved, and beyond that only money nobody holds.
 * Idempotent: a hold already closed is left as it is.
 */
export async function settleHold(trx: Transaction<DB>, input: SettleInput): Promise<Settlement> {
  const balance = (await lockBalance(trx, input.orgId)) ?? 0;
  const holds = await openHolds(trx, input.orgId);
  const own = holds.find((h) => h.call_id === input.callId);
  const heldByCall = own ? Number(own.amount_cents) : 0;
  const heldByOthers = holds
    .filter((h) => h.call_id !== input.callId)
    .reduce((s, h) => s + committed(h, input.nowMs), 0);
  const allowed = Math.min(balance, Math.max(heldByCall, balance - heldByOthers));
  const debit = Math.max(0, Math.min(input.chargeCents, allowed));
  if (own) {
    await trx
      .updateTable('balance_holds')
      .set({
        status: debit > 0 ? 'settled' : 'released',
        charged_cents: debit,
        updated_at: input.nowIso,
        closed_at: input.nowIso,
      })
      .where('call_id', '=', input.callId)
      .where('status', '=', 'held')
      .execute();
  }
  return { debitCents: debit, capped: debit < input.chargeCents, heldCents: heldByCall };
}

async function openHolds(db: Kysely<DB> | Transaction<DB>, orgId: number): Promise<OpenHold[]> {
  const rows = await db
    .selectFrom('balance_holds as h')
    .innerJoin('calls as c', 'c.id', 'h.call_id')
    .select(['h.call_id', 'h.amount_cents', 'h.rate_cents_per_minute', 'c.answered_at'])
    .where('h.org_id', '=', orgId)
    .where('h.status', '=', 'held')
    .execute();
  return rows.map((r) => ({
    call_id: Number(r.call_id),
    amount_cents: Number(r.amount_cents),
    rate_cents_per_minute: Number(r.rate_cents_per_minute),
    answered_at: r.answered_at,
  }));
}

/** What an open hold keeps from the balance: its reservation, or the call's usage if that is more. */
function committed(h: OpenHold, nowMs: number): number {
  if (h.answered_at === null) return h.amount_cents;
  const usage = billableMinutes(nowMs - Date.parse(h.answered_at)) * h.rate_cents_per_minute;
  return Math.max(h.amount_cents, usage);
}
