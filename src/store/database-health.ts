import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';
import { TypedEmitter } from '../shared/typed-emitter';
import { databaseErrorReason, loggableDatabaseError } from './database-errors';

/** `checks.database` of /v1/healthz. */
export interface DatabaseCheck {
  status: 'ok' | 'down';
  /** When the status last changed (process start while it never did), ISO-8601. */
  since: string;
  /** Why the database is down (the last connection error), null while ok. */
  reason: string | null;
}

export interface DatabaseHealthEvents {
  down: (reason: string) => void;
  /** The database answers again after `downMs` of outage. */
  up: (downMs: number) => void;
}

export interface DatabaseHealthOptions {
  /** A trivial query (`select 1`); resolves when the database answers. */
  probe: () => Promise<void>;
  clock: Clock;
  log: Logger;
  timers?: Timers;
  /** While down, how often the probe runs (default 1 s). */
  probeIntervalMs?: number;
  /** A probe that takes longer counts as a failure (default 2 s). */
  probeTimeoutMs?: number;
}

/**
 * Whether the database answers, as this process sees it. Fed by the store (pool and connection
 * errors, failing and succeeding queries) and by the job queue; while down it probes every
 * `probeIntervalMs` until the database answers again. Logs the outage ONCE (warn, with the
 * reason) and the recovery once (info, with its length), and emits `down` / `up`.
 */
export class DatabaseHealth {
  readonly #o: DatabaseHealthOptions;
  readonly #timers: Timers;
  readonly events = new TypedEmitter<DatabaseHealthEvents>();
  #status: 'ok' | 'down' = 'ok';
  #sinceMs: number;
  #reason: string | null = null;
  #lastRecoveredAtMs: number | undefined;
  #probeTimer: TimerHandle | undefined;
  #probing: Promise<DatabaseCheck> | undefined;
  #closed = false;

  constructor(options: DatabaseHealthOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#sinceMs = options.clock.nowMs();
  }

  get isUp(): boolean {
    return this.#status === 'ok';
  }

  /** When the database last came back after an outage this process saw (epoch ms). */
  get lastRecoveredAtMs(): number | undefined {
    return this.#lastRecoveredAtMs;
  }

  snapshot(): DatabaseCheck {
    return { status: this.#status, since: new Date(this.#sinceMs).toISOString(), reason: this.#reason };
  }

  /** A connection-level failure (the caller has classified it, see database-errors.ts). */
  noteFailure(err: unknown, source: string): void {
    const reason = databaseErrorReason(err);
    if (this.#status === 'down') {
      this.#reason = reason;
      return;
    }
    this.#status = 'down';
    this.#sinceMs = this.#o.clock.nowMs();
    this.#reason = reason;
    this.#o.log.warn(
      { err: loggableDatabaseError(err), source },
      'database unavailable: calls keep running; database work waits and is retried',
    );
    this.events.emit('down', reason);
    this.#scheduleProbe();
  }

  /**
   * Work that started at `startedAtMs` succeeded. Work that started before the outage was noticed
   * proves nothing (a query can finish just as the server goes down).
   */
  noteSuccess(startedAtMs: number = this.#o.clock.nowMs()): void {
    if (this.#status === 'ok' || startedAtMs < this.#sinceMs) return;
    const nowMs = this.#o.clock.nowMs();
    const downMs = nowMs - this.#sinceMs;
    this.#status = 'ok';
    this.#sinceMs = nowMs;
    this.#reason = null;
    this.#lastRecoveredAtMs = nowMs;
    if (this.#probeTimer !== undefined) this.#timers.clear(this.#probeTimer);
    this.#probeTimer = undefined;
    this.#o.log.info({ downMs }, 'database available again');
    this.events.emit('up', downMs);
  }

  /** Asks the database now (one probe at a time, bounded by probeTimeoutMs) and returns the result. */
  async check(): Promise<DatabaseCheck> {
    this.#probing ??= this.#probe().finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  close(): void {
    this.#closed = true;
    if (this.#probeTimer !== undefined) this.#timers.clear(this.#probeTimer);
    this.#probeTimer = undefined;
  }

  async #probe(): Promise<DatabaseCheck> {
    const startedAtMs = this.#o.clock.nowMs();
    const timeoutMs = this.#o.probeTimeoutMs ?? 2000;
    let timer: TimerHandle | undefined;
    try {
      await Promise.race([
        this.#o.probe(),
        new Promise((_resolve, reject) => {
          timer = unref(
            this.#timers.set(timeoutMs, () => reject(new Error(`the database did not answer within ${timeoutMs} ms`))),
          );
        }),
      ]);
      this.noteSuccess(startedAtMs);
    } catch (err) {
      this.noteFailure(err, 'probe');
    } finally {
      if (timer !== undefined) this.#timers.clear(timer);
    }
    return this.snapshot();
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#status === 'ok' || this.#probeTimer !== undefined) return;
    this.#probeTimer = unref(
      this.#timers.set(this.#o.probeIntervalMs ?? 1000, () => {
        this.#probeTimer = undefined;
        void this.check().then(() => this.#scheduleProbe());
      }),
    );
  }
}

/** Real timers must not keep the process alive for a probe. */
function unref(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void } | undefined)?.unref?.();
  return handle;
}
