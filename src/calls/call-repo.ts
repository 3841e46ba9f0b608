import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { DB, Row, RowUpdate } from '../store/tables';
import type { DialectName } from '../store/db';
import type { Clock } from '../shared/clock';
import type { ProductTier } from '../config/config';
import { heldCents, reserveHold, type ReserveResult } from '../billing/balance-holds';
import { productTier } from './call-charge';
import { phasesAllowing, type CallPhase, type CallTransition } from './call-state';

export type CallRow = Row<'calls'>;

/** Phases that hold a concurrency slot. */
const ACTIVE_PHASES: CallPhase[] = ['dialing', 'ringing', 'answered', 'ending'];

export type AdmitResult =
  /** Dialing, owned by this instance, its first minute reserved (balance hold). */
  | { kind: 'admitted'; call: CallRow; heldCents: number }
  /**
   * The available balance (balance − holds − running usage) does not pay one minute: the call
   * is taken out of the queue (phase ending, owned by this instance) to be finalized failed /
   * insufficient_balance, never dialed.
   */
  | { kind: 'insufficient_balance'; call: CallRow; availableCents: number }
  /** The org is at its limit (or earlier queued calls come first): try again later. */
  | { kind: 'wait'; active: number; ahead: number; limit: number }
  /** The call is no longer queued (already running, ended, or unknown): nothing to do. */
  | { kind: 'not_queued'; call: CallRow | undefined };

export interface NewInboundCall {
  orgId: number;
  phoneNumberId: number;
  agentId: number | null;
  fromNumber: string;
  toNumber: string;
  config: unknown;
  product: string | null;
  voice: string | null;
  sipCallId: string | null;
  ownerInstance: string;
}

/**
 * Call rows as the runtime sees them. Every state change is an UPDATE guarded by the phases it
 * may come from (optimistic concurrency), so two racing writers cannot both move a call, and a
 * call reaches exactly one terminal state.
 */
export class CallRepo {
  readonly #db: Kysely<DB>;
  readonly #dialect: DialectName;
  readonly #clock: Clock;

  constructor(db: Kysely<DB>, dialect: DialectName, clock: Clock) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = clock;
  }

  async get(callId: number): Promise<CallRow | undefined> {
    return this.#db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
  }

  /**
   * Per-org FIFO admission: the call starts dialing when the org's active calls plus the queued
   * outbound calls created before it stay under the limit (orgs.max_concurrent_calls, else the
   * operator default) AND the available balance pays its first minute at its product's rate,
   * which is then held (billing/balance-holds.ts) in the same transaction. Serialised per org
   * (row lock on PostgreSQL, one writer on SQLite), so parallel admissions — also from several
   * servers — never reserve the same cents twice.
   */
  async admit(
    callId: number,
    instance: string,
    defaultLimit: number,
    rates: Record<ProductTier, number>,
  ): Promise<AdmitResult> {
    return this.#db.transaction().execute(async (trx) => {
      const call = await trx.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
      if (!call || call.status !== 'in_progress' || (call.phase !== null && call.phase !== 'queued')) {
        return { kind: 'not_queued', call };
      }
      let orgQuery = trx.selectFrom('orgs').select('max_concurrent_calls').where('id', '=', call.org_id);
      if (this.#dialect === 'postgres') orgQuery = orgQuery.forUpdate();
      const org = await orgQuery.executeTakeFirst();
      const limit = org?.max_concurrent_calls ?? defaultLimit;
      const active = await this.#count(trx, call.org_id, (q) => q.where('phase', 'in', ACTIVE_PHASES));
      const ahead = await this.#count(trx, call.org_id, (q) =>
        q
          .where('direction', '=', 'outbound')
          .where((eb) => eb.or([eb('phase', 'is', null), eb('phase', '=', 'queued')]))
          .where('id', '<', callId),
      );
      if (active + ahead >= limit) return { kind: 'wait', active, ahead, limit };
      const now = this.#clock.nowIso();
      const admitted = await trx
        .updateTable('calls')
        .set({
          phase: 'dialing',
          owner_instance: instance,
          dialed_at: now,
          start_time: now,
          heartbeat_at: now,
          updated_at: now,
        })
        .where('id', '=', callId)
        .where('status', '=', 'in_progress')
        .where((eb) => eb.or([eb('phase', 'is', null), eb('phase', '=', 'queued')]))
        .returningAll()
        .executeTakeFirst();
      if (!admitted) return { kind: 'not_queued', call };
      const hold = await reserveHold(trx, {
        orgId: call.org_id,
        callId,
        rateCentsPerMinute: rates[productTier(call.product)],
        nowIso: now,
        nowMs: this.#clock.nowMs(),
      });
      if (hold.ok) return { kind: 'admitted', call: admitted, heldCents: hold.amountCents };
      const refused = await trx
        .updateTable('calls')
        .set({ phase: 'ending', updated_at: now })
        .where('id', '=', callId)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { kind: 'insufficient_balance', call: refused, availableCents: hold.availableCents };
    });
  }

  /**
   * Holds the first minute of an inbound call once its product is known (its concurrency slot
   * was taken when the INVITE was accepted for screening).
   */
  async holdFirstMinute(call: CallRow, rates: Record<ProductTier, number>): Promise<ReserveResult> {
    return this.#db.transaction().execute((trx) =>
      reserveHold(trx, {
        orgId: call.org_id,
        callId: call.id,
        rateCentsPerMinute: rates[productTier(call.product)],
        nowIso: this.#clock.nowIso(),
        nowMs: this.#clock.nowMs(),
      }),
    );
  }

  /** The org's balance minus what its running calls hold or have used. */
  async availableCents(orgId: number): Promise<number> {
    const org = await this.#db.selectFrom('orgs').select('balance_cents').where('id', '=', orgId).executeTakeFirst();
    return Number(org?.balance_cents ?? 0) - (await heldCents(this.#db, orgId, this.#clock.nowMs()));
  }

  /** Simultaneous calls the org has right now (inbound and outbound). */
  async activeCount(orgId: number): Promise<number> {
    return this.#count(this.#db, orgId, (q) => q.where('phase', 'in', ACTIVE_PHASES));
  }

  /**
   * The org's concurrency limit (orgs.max_concurrent_calls, else `defaultLimit`) and whether its
   * live calls have reached it: the check for work that starts live (inbound calls, realtime
   * sessions). A read before the caller's insert, so two racing admissions may both pass by one;
   * queued outbound calls go through `admit` instead.
   */
  async concurrencyLimitReached(orgId: number, defaultLimit: number): Promise<{ reached: boolean; limit: number }> {
    const org = await this.#db
      .selectFrom('orgs')
      .select('max_concurrent_calls')
      .where('id', '=', orgId)
      .executeTakeFirst();
    const limit = org?.max_concurrent_calls ?? defaultLimit;
    return { reached: (await this.activeCount(orgId)) >= limit, limit };
  }

  /** Moves a call along the state machine; false when it was not in a phase that allows it. */
  async transition(callId: number, transition: CallTransition, extra: RowUpdate<'calls'> = {}): Promise<boolean> {
    const from = phasesAllowing(transition);
    const to = from.length > 0 ? transitionTarget(transition) : undefined;
    if (to === undefined) return false;
    const now = this.#clock.nowIso();
    const res = await this.#db
      .updateTable('calls')
      .set({ ...extra, phase: to, updated_at: now })
      .where('id', '=', callId)
      .where('status', '=', 'in_progress')
      .where((eb) =>
        from.includes('queued') ? eb.or([eb('phase', 'in', from), eb('phase', 'is', null)]) : eb('phase', 'in', from),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async markAnswered(callId: number, extra: RowUpdate<'calls'> = {}): Promise<boolean> {
    return this.transition(callId, 'answered', { answered_at: this.#clock.nowIso(), ...extra });
  }

  /** The first caller wins: only one path ends a call. */
  async beginEnding(callId: number): Promise<boolean> {
    return this.transition(callId, 'end');
  }

  /** Marks the calls this instance holds as alive (one UPDATE); another owner's rows are untouched. */
  async heartbeat(callIds: number | readonly number[], instance: string): Promise<void> {
    const ids = typeof callIds === 'number' ? [callIds] : [...callIds];
    if (ids.length === 0) return;
    await this.#db
      .updateTable('calls')
      .set({ heartbeat_at: this.#clock.nowIso() })
      .where('id', 'in', ids)
      .where('owner_instance', '=', instance)
      .where('status', '=', 'in_progress')
      .execute();
  }

  async update(callId: number, values: RowUpdate<'calls'>): Promise<void> {
    await this.#db
      .updateTable('calls')
      .set({ ...values, updated_at: this.#clock.nowIso() })
      .where('id', '=', callId)
      .execute();
  }

  /** Distinct owners (other than `instance`) of calls still in progress. */
  async otherOwners(instance: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('calls')
      .select('owner_instance')
      .distinct()
      .where('status', '=', 'in_progress')
      .where('owner_instance', 'is not', null)
      .where('owner_instance', '!=', instance)
      .execute();
    return rows.flatMap((r) => (r.owner_instance === null ? [] : [r.owner_instance]));
  }

  /**
   * Calls in progress that another process had taken and that look abandoned: their last sign of
   * life (heartbeat_at, else dialed_at, else updated_at) is older than `staleBeforeIso`, or their
   * owner is in `deadOwners` (known gone).
   */
  async findOrphans(instance: string, staleBeforeIso: string, deadOwners: readonly string[] = []): Promise<CallRow[]> {
    return this.#db
      .selectFrom('calls')
      .selectAll()
      .where('status', '=', 'in_progress')
      .where('owner_instance', 'is not', null)
      .where('owner_instance', '!=', instance)
      .where((eb) => {
        const stale = eb(eb.fn.coalesce('heartbeat_at', 'dialed_at', 'updated_at'), '<', staleBeforeIso);
        return deadOwners.length > 0 ? eb.or([stale, eb('owner_instance', 'in', [...deadOwners])]) : stale;
      })
      .orderBy('id')
      .execute();
  }

  /**
   * Takes an orphan over (owner_instance → `instance`) only if it is still in progress, still
   * owned by `previousOwner`, and still abandoned (its owner known dead, or no heartbeat since
   * `staleBeforeIso`). Exactly one of several racing recoverers gets true. heartbeat_at is left
   * as it was: it is the last time the call was known alive, and the claimant's crash leaves the
   * call stale for the next recoverer.
   */
  async claimOrphan(
    callId: number,
    previousOwner: string,
    instance: string,
    staleBeforeIso: string,
    ownerDead: boolean,
  ): Promise<boolean> {
    let claim = this.#db
      .updateTable('calls')
      .set({ owner_instance: instance })
      .where('id', '=', callId)
      .where('status', '=', 'in_progress')
      .where('owner_instance', '=', previousOwner);
    if (!ownerDead)
      claim = claim.where((eb) => eb(eb.fn.coalesce('heartbeat_at', 'dialed_at', 'updated_at'), '<', staleBeforeIso));
    const res = await claim.executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Ids of calls still waiting to be dialed (queued), oldest first. */
  async findQueued(): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('calls')
      .select('id')
      .where('status', '=', 'in_progress')
      .where('direction', '=', 'outbound')
      .where((eb) => eb.or([eb('phase', 'is', null), eb('phase', '=', 'queued')]))
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async createInbound(input: NewInboundCall): Promise<CallRow> {
    const now = this.#clock.nowIso();
    return this.#db
      .insertInto('calls')
      .values({
        org_id: input.orgId,
        agent_id: input.agentId,
        phone_number_id: input.phoneNumberId,
        direction: 'inbound',
        from_number: input.fromNumber,
        to_number: input.toNumber,
        status: 'in_progress',
        config: JSON.stringify(input.config ?? {}),
        variables: '{}',
        product: input.product,
        voice: input.voice,
        start_time: now,
        dialed_at: now,
        heartbeat_at: now,
        phase: 'dialing',
        transcript: '[]',
        metrics: '{}',
        is_test_call: 0,
        owner_instance: input.ownerInstance,
        sip_call_id: input.sipCallId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async #count(
    db: Kysely<DB> | Transaction<DB>,
    orgId: number,
    filter: (q: CountQuery) => CountQuery,
  ): Promise<number> {
    const base = db
      .selectFrom('calls')
      .select(sql<number>`count(*)`.as('n'))
      .where('org_id', '=', orgId)
      .where('status', '=', 'in_progress');
    const row = await filter(base).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

type CountQuery = SelectQueryBuilder<DB, 'calls', { n: number }>;

function transitionTarget(transition: CallTransition): CallPhase {
  switch (transition) {
    case 'admit':
      return 'dialing';
    case 'ringing':
      return 'ringing';
    case 'answered':
      return 'answered';
    case 'end':
      return 'ending';
    case 'finished':
      return 'ended';
  }
}
