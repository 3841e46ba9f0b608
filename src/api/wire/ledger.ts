import { Type } from '@sinclair/typebox';
import type { Row } from '../../store/tables';
import { Nullable, Timestamp } from './common';

/** One balance change (GET /v1/billing/transactions rows, admin credits). */
export const LedgerEntryWire = Type.Object({
  id: Type.Integer(),
  amount_cents: Type.Integer(),
  balance_after_cents: Type.Integer(),
  kind: Type.String({ description: 'credit | top_up | call_charge | adjustment | refund' }),
  description: Type.String(),
  call_id: Nullable(Type.Integer()),
  created_at: Timestamp,
});

export const ledgerToWire = (e: Row<'ledger_entries'>) => ({
  id: Number(e.id),
  amount_cents: Number(e.amount_cents),
  balance_after_cents: Number(e.balance_after_cents),
  kind: e.kind,
  description: e.description,
  call_id: e.call_id === null ? null : Number(e.call_id),
  created_at: e.created_at,
});
