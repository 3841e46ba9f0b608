import type { Kysely } from 'kysely';
import type { DB, Row } from '../../store/tables';
import type { Clock } from '../../shared/clock';
import { migrate } from '../../store/migrate';
import type { Store } from '../../store/db';
import { createOrg } from '../../orgs/org-service';
import { cryptoIds } from '../../shared/ids';
import type { CallEventEmitter } from '../finalize-call';
import type { CallParts } from '../call-runtime';

/** The default per-minute prices (RATE_CENTS_PER_MINUTE=spark=2,bolt=5,storm=9). */
export const RATES = { spark: 2, bolt: 5, storm: 9 } as const;

/** Test fixtures for the calls module: orgs and call rows as POST /v1/call would create them. */
export async function seedOrg(
  store: Store,
  clock: Clock,
  balanceCents: number,
  maxConcurrent: number | null = null,
): Promise<number> {
  await migrate(store);
  const { org } = await createOrg(store.db, clock, cryptoIds, { name: 'Acme', balanceCents });
  if (maxConcurrent !== null)
    await store.db.updateTable('orgs').set({ max_concurrent_calls: maxConcurrent }).where('id', '=', org.id).execute();
  return org.id;
}

export async function seedOutboundCall(
  db: Kysely<DB>,
  clock: Clock,
  orgId: number,
  overrides: Partial<Row<'calls'>> = {},
): Promise<Row<'calls'>> {
  const now = clock.nowIso();
  return db
    .insertInto('calls')
    .values({
      org_id: orgId,
      agent_id: null,
      phone_number_id: null,
      direction: 'outbound',
      from_number: '+15550001111',
      to_number: '+15550002222',
      status: 'in_progress',
      config: JSON.stringify({ name: 'Front desk', prompt: 'Be nice', voice: 'en-us', product: 'spark' }),
      variables: '{}',
      product: 'spark',
      voice: 'en-us',
      transcript: '[]',
      metrics: '{}',
      is_test_call: 0,
      created_at: now,
      updated_at: now,
      ...overrides,
      id: undefined,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records emitted events; can be told to fail (to prove the finalizer's transaction rolls back). */
export class RecordingEmitter implements CallEventEmitter {
  readonly events: { orgId: number; type: string; data: Record<string, unknown> }[] = [];
  failNext = false;

  async emit(_trx: unknown, event: { orgId: number; type: string; data: Record<string, unknown> }): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('outbox unavailable');
    }
    this.events.push(event);
  }
}

export async function balanceOf(db: Kysely<DB>, orgId: number): Promise<number> {
  const row = await db.selectFrom('orgs').select('balance_cents').where('id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.balance_cents);
}

export async function ledgerForCall(db: Kysely<DB>, callId: number): Promise<Row<'ledger_entries'>[]> {
  return db.selectFrom('ledger_entries').selectAll().where('call_id', '=', callId).execute();
}

/** Call parts for runtime tests that place no call: dialing and agents fail, nothing listens. */
export const idleCallParts: CallParts = {
  dial: () => Promise.reject(new Error('no trunk in this test')),
  createAgent: () => Promise.reject(new Error('no agent in this test')),
  createRecorder: () => undefined,
  onIncoming: () => undefined,
  close: async () => undefined,
};
