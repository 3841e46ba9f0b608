import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../db';
import { bigint, withSerialId } from './column-kinds';

/**
 * `balance_holds`: money reserved for a call while it runs (billing/balance-holds.ts). One row
 * per call (unique call_id): `held` while the call runs, then `settled` (charged) or `released`
 * (never connected) in the finalizer's transaction. Holds move no money — the ledger does — they
 * keep concurrent calls from spending the same cents.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const big = bigint(dialect);
  await withSerialId(db.schema.createTable('balance_holds'), dialect)
    .addColumn('org_id', big, (c) => c.notNull().references('orgs.id'))
    .addColumn('call_id', big, (c) => c.notNull().unique().references('calls.id'))
    .addColumn('rate_cents_per_minute', big, (c) => c.notNull())
    .addColumn('amount_cents', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('charged_cents', big)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema
    .createIndex('balance_holds_open')
    .on('balance_holds')
    .column('org_id')
    .where(sql.ref('status'), '=', 'held')
    .execute();
}
