import type { Kysely } from 'kysely';
import type { DB } from '../store/tables';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';

export const DEFAULT_TRANSCRIPT_CHECKPOINT_MS = 1000;

export interface TranscriptCheckpointOptions {
  db: Kysely<DB>;
  clock: Clock;
  log: Logger;
  callId: number;
  /** The live transcript (the agent session's §4.4 turns so far). */
  transcript: () => unknown[];
  intervalMs?: number;
  timers?: Timers;
}

/**
 * Writes a running call's transcript into calls.transcript while it grows (every `intervalMs`,
 * only when it changed), bumping updated_at: GET /v1/calls/{id}/transcript then shows a live call's
 * turns from any server sharing the database, the console's live stream sees the change, and a
 * crash leaves the turns so far for recovery. Guarded on `in_progress`: never overwrites the
 * finalizer's transcript.
 */
export class TranscriptCheckpoint {
  readonly #o: TranscriptCheckpointOptions;
  readonly #timers: Timers;
  #last = '[]';
  #timer: TimerHandle | undefined;
  #writing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: TranscriptCheckpointOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
  }

  start(): void {
    this.#schedule();
  }

  /** Stops checkpointing; resolves after a write in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    await this.#writing;
  }

  /** One checkpoint now: true when a changed transcript was written. */
  async flush(): Promise<boolean> {
    if (this.#writing) await this.#writing;
    let turns: unknown[];
    try {
      turns = this.#o.transcript();
    } catch {
      return false;
    }
    const json = JSON.stringify(turns);
    if (json === this.#last || this.#stopped) return false;
    let wrote = false;
    this.#writing = (async () => {
      const res = await this.#o.db
        .updateTable('calls')
        .set({ transcript: json, updated_at: this.#o.clock.nowIso() })
        .where('id', '=', this.#o.callId)
        .where('status', '=', 'in_progress')
        .executeTakeFirst();
      wrote = Number(res.numUpdatedRows) === 1;
      this.#last = json;
    })()
      .catch((err: unknown) => this.#o.log.warn({ err, callId: this.#o.callId }, 'transcript checkpoint failed'))
      .finally(() => (this.#writing = undefined));
    await this.#writing;
    return wrote;
  }

  #schedule(): void {
    if (this.#stopped || (this.#o.intervalMs ?? DEFAULT_TRANSCRIPT_CHECKPOINT_MS) <= 0) return;
    this.#timer = this.#timers.set(this.#o.intervalMs ?? DEFAULT_TRANSCRIPT_CHECKPOINT_MS, () => {
      void this.flush().finally(() => this.#schedule());
    });
    (this.#timer as { unref?: () => void } | undefined)?.unref?.();
  }
}
