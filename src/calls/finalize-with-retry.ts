import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { systemTimers, type TimerHandle, type Timers } from '../shared/timers';
import { isRetryableDatabaseError } from '../store/database-errors';
import type { FinalizeInput, FinalizeResult } from './finalize-call';

export interface RetryingFinalizerOptions {
  finalize: (input: FinalizeInput) => Promise<FinalizeResult>;
  /** Pins the end time at the first attempt: a call is billed until it ended, not until the database came back. */
  clock: Clock;
  log: Logger;
  timers?: Timers;
  /** First wait after a failed attempt (doubles up to maxDelayMs). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Which failures are worth another attempt (default: database unavailable or a transaction conflict). */
  isRetryable?: (err: unknown) => boolean;
}

/** Thrown to waiting callers when the process shuts down before the database came back. */
export class FinalizationAbandoned extends Error {
  constructor(callId: number) {
    super(`call ${callId} not finalized: shutting down while the database is unavailable`);
    this.name = 'FinalizationAbandoned';
  }
}

/**
 * finalizeCall, retried with backoff while the database is unavailable: a call that ends during a
 * PostgreSQL restart has already hung up and stopped its agent; its status, bill and webhook are
 * written once the database is back. Safe to repeat: finalizeCall is one transaction guarded on
 * `status = 'in_progress'`, and the ledger reference `call:<id>` is unique, so a call is billed
 * and reported once even if a COMMIT's answer was lost.
 *
 * `defer()` registers a write of the same call that failed during the outage (the answer time):
 * it is retried in the background, and finalize() of that call waits for it first, so the bill
 * counts the talk time even when both were written after the outage.
 */
export class RetryingFinalizer {
  readonly #o: RetryingFinalizerOptions;
  readonly #timers: Timers;
  readonly #pendingWrites = new Map<number, Promise<unknown>>();
  readonly #waits = new Set<() => void>();
  #stopped = false;

  constructor(options: RetryingFinalizerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
  }

  async finalize(input: FinalizeInput): Promise<FinalizeResult> {
    const pinned: FinalizeInput = { ...input, endedAtIso: input.endedAtIso ?? this.#o.clock.nowIso() };
    const earlier = this.#pendingWrites.get(input.callId);
    if (earlier) await earlier.catch(() => undefined);
    return this.#retry(input.callId, 'call finalized after the database came back', () => this.#o.finalize(pinned));
  }

  /** Retries `write` (for `callId`) in the background; that call's finalize() waits for it. */
  defer(callId: number, write: () => Promise<unknown>): void {
    const prior = this.#pendingWrites.get(callId) ?? Promise.resolve();
    const next = prior
      .catch(() => undefined)
      .then(() => this.#retry(callId, 'deferred call write done after the database came back', write));
    this.#pendingWrites.set(callId, next);
    void next
      .catch((err: unknown) => {
        if (err instanceof FinalizationAbandoned)
          this.#o.log.warn({ callId }, 'deferred call write abandoned at shutdown');
        else this.#o.log.error({ callId, err }, 'deferred call write failed');
      })
      .finally(() => {
        if (this.#pendingWrites.get(callId) === next) this.#pendingWrites.delete(callId);
      });
  }

  /** Shutdown: every waiting attempt gives up (the next process recovers those calls). */
  stop(): void {
    this.#stopped = true;
    for (const wake of [...this.#waits]) wake();
  }

  async #retry<T>(callId: number, recoveredMessage: string, attempt: () => Promise<T>): Promise<T> {
    const isRetryable = this.#o.isRetryable ?? isRetryableDatabaseError;
    let delayMs = this.#o.firstDelayMs ?? 250;
    for (let failures = 0; ; failures++) {
      try {
        const result = await attempt();
        if (failures > 0) this.#o.log.info({ callId, attempts: failures + 1 }, recoveredMessage);
        return result;
      } catch (err) {
        if (!isRetryable(err)) throw err;
        if (this.#stopped) throw new FinalizationAbandoned(callId);
        // The outage itself is logged once by DatabaseHealth; this says which calls wait for it.
        if (failures === 0) this.#o.log.info({ callId, err }, 'call write waits for the database; retrying');
        await this.#wait(delayMs);
        if (this.#stopped) throw new FinalizationAbandoned(callId);
        delayMs = Math.min(this.#o.maxDelayMs ?? 5000, delayMs * 2);
      }
    }
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let handle: TimerHandle | undefined = undefined;
      const wake = (): void => {
        if (handle !== undefined) this.#timers.clear(handle);
        this.#waits.delete(wake);
        resolve();
      };
      this.#waits.add(wake);
      handle = this.#timers.set(ms, wake);
    });
  }
}
