import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { DialectName } from '../store/db';
import type { Clock } from '../shared/clock';

/**
 * TRUNK_CALLS_PER_SECOND per VoIP connection, held in the database (`trunk_dial_slots`) so that
 * every server on it shares one budget: `reserve` moves the trunk's next free slot forward by one
 * interval in ONE atomic UPDATE (the row lock orders concurrent reservations, whichever server
 * makes them) and says how long the caller waits before dialing. Slot times are epoch ms of the
 * servers' clocks (NTP-synchronised hosts agree to well under an interval).
 */
export class TrunkDialSlots {
  readonly #db: Kysely<DB>;
  readonly #dialect: DialectName;
  readonly #clock: Clock;
  readonly #intervalMs: number;

  constructor(db: Kysely<DB>, dialect: DialectName, clock: Clock, callsPerSecond: number) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = clock;
    this.#intervalMs = Math.ceil(1000 / Math.max(1, callsPerSecond));
  }

  /** Milliseconds to wait before this call may be sent to the trunk (0 = now). */
  async reserve(voipConnectionId: number): Promise<number> {
    const nowMs = this.#clock.nowMs();
    await this.#db
      .insertInto('trunk_dial_slots')
      .values({ voip_connection_id: voipConnectionId, next_slot_ms: 0 })
      .onConflict((oc) => oc.column('voip_connection_id').doNothing())
      .execute();
    const larger = this.#dialect === 'postgres' ? sql`greatest` : sql`max`;
    const row = await this.#db
      .updateTable('trunk_dial_slots')
      .set({ next_slot_ms: sql<number>`${larger}(next_slot_ms, ${nowMs}) + ${this.#intervalMs}` })
      .where('voip_connection_id', '=', voipConnectionId)
      .returning('next_slot_ms')
      .executeTakeFirstOrThrow();
    const slotMs = Number(row.next_slot_ms) - this.#intervalMs;
    return Math.max(0, slotMs - nowMs);
  }
}
