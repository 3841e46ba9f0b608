import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';
import { withCampaignPublicIds, type CallRow } from './call-queries';

/**
 * A call row as the feed reads it: everything but the large JSON columns. The grade stays (it is
 * small and the wire's issue counts come from it).
 */
export type CallChangeRow = Omit<
  CallRow,
  'config' | 'variables' | 'transcript' | 'metrics' | 'extracted_data' | 'sip_dialog'
>;

export interface CallChange {
  call: CallChangeRow;
  /** Size of the stored transcript JSON: grows as a running call's turns are checkpointed. */
  transcriptChars: number;
}

export type CallChangeListener = (change: CallChange) => void;

export interface CallChangeFeedOptions {
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  timers?: Timers;
  /** How often the database is read while anyone listens (default 1 s). */
  pollMs?: number;
  /**
   * Each poll re-reads this far behind the newest change it saw (default 5 s): rows written by
   * another server with a slightly late clock, or committed after a later row, are still seen.
   * Duplicates inside the window are dropped by (id, updated_at).
   */
  overlapMs?: number;
  pageSize?: number;
}

/**
 * Live call status for the console: ONE poller per process reads the calls changed since its last
 * poll (index calls(updated_at, id)) and fans each change out to the listeners of that call's org
 * only. It reads the shared database, so a call run by any server sharing it shows up; the number
 * of browser tabs never changes the database load. Polls only while someone listens.
 */
export class CallChangeFeed {
  readonly #o: Required<Omit<CallChangeFeedOptions, 'timers'>> & { timers: Timers };
  readonly #byOrg = new Map<number, Set<CallChangeListener>>();
  /** id → updated_at already delivered, for rows inside the overlap window. */
  readonly #seen = new Map<number, string>();
  #cursorIso: string | undefined;
  #timer: TimerHandle | undefined;
  #polling: Promise<number> | undefined;
  #closed = false;

  constructor(options: CallChangeFeedOptions) {
    this.#o = {
      pollMs: 1000,
      overlapMs: 5000,
      pageSize: 500,
      timers: systemTimers,
      ...options,
    };
  }

  get listenerCount(): number {
    let n = 0;
    for (const set of this.#byOrg.values()) n += set.size;
    return n;
  }

  /** Listens to one org's call changes; returns the unsubscribe function. */
  subscribe(orgId: number, listener: CallChangeListener): () => void {
    let set = this.#byOrg.get(orgId);
    if (!set) this.#byOrg.set(orgId, (set = new Set()));
    set.add(listener);
    this.#cursorIso ??= new Date(this.#o.clock.nowMs() - this.#o.overlapMs).toISOString();
    this.#schedule();
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#byOrg.delete(orgId);
      if (this.listenerCount === 0) this.#stopTimer();
    };
  }

  /** One poll now (the timer calls it; tests too). Returns how many changes were delivered. */
  async poll(): Promise<number> {
    if (this.#polling) return this.#polling;
    this.#polling = this.#read().finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  close(): void {
    this.#closed = true;
    this.#stopTimer();
    this.#byOrg.clear();
  }

  async #read(): Promise<number> {
    if (this.#cursorIso === undefined) return 0;
    const o = this.#o;
    const fromIso = new Date(Date.parse(this.#cursorIso) - o.overlapMs).toISOString();
    let after: { at: string; id: number } = { at: fromIso, id: 0 };
    let delivered = 0;
    let newest = this.#cursorIso;
    for (;;) {
      const rows = await o.db
        .selectFrom('calls')
        .select([
          'id',
          'org_id',
          'agent_id',
          'phone_number_id',
          'direction',
          'from_number',
          'to_number',
          'status',
          'end_reason',
          'transfer_number',
          'max_hold_seconds',
          'product',
          'voice',
          'start_time',
          'answered_at',
          'end_time',
          'duration_seconds',
          'recording_path',
          'billable_minutes',
          'billing_total_cents',
          'billed_at',
          'is_test_call',
          'idempotency_key',
          'idempotency_hash',
          'owner_instance',
          'sip_call_id',
          'created_at',
          'updated_at',
          'phase',
          'heartbeat_at',
          'dialed_at',
          'agent_version',
          'campaign_id',
          'campaign_contact_id',
          'summary',
          'grade_status',
          'grade_score',
          'grade_updated_at',
          'grade',
          'answered_by',
          'answered_by_ms',
          'answered_by_guess_ms',
          sql<number>`length(transcript)`.as('transcript_chars'),
        ])
        .where((eb) =>
          eb.or([eb('updated_at', '>', after.at), eb.and([eb('updated_at', '=', after.at), eb('id', '>', after.id)])]),
        )
        .orderBy('updated_at')
        .orderBy('id')
        .limit(o.pageSize)
        .execute()
        .then((found) => withCampaignPublicIds(o.db, found));
      for (const r of rows) {
        const { transcript_chars, ...call } = r;
        const id = Number(call.id);
        if (call.updated_at > newest) newest = call.updated_at;
        if (this.#seen.get(id) === call.updated_at) continue;
        this.#seen.set(id, call.updated_at);
        delivered += this.#deliver(Number(call.org_id), { call, transcriptChars: Number(transcript_chars ?? 0) });
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < o.pageSize) break;
      after = { at: last.updated_at, id: Number(last.id) };
    }
    this.#cursorIso = newest;
    const forgetBefore = new Date(Date.parse(newest) - o.overlapMs).toISOString();
    for (const [id, at] of this.#seen) if (at < forgetBefore) this.#seen.delete(id);
    return delivered;
  }

  #deliver(orgId: number, change: CallChange): number {
    const listeners = this.#byOrg.get(orgId);
    if (!listeners) return 0;
    for (const l of listeners) {
      try {
        l(change);
      } catch (err) {
        this.#o.log.warn({ err, orgId }, 'call change listener failed');
      }
    }
    return listeners.size;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed || this.listenerCount === 0) return;
    this.#timer = this.#o.timers.set(this.#o.pollMs, () => {
      this.#timer = undefined;
      void this.poll()
        .catch((err: unknown) => this.#o.log.warn({ err }, 'call change poll failed'))
        .finally(() => this.#schedule());
    });
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
