import type { Clock } from '../../shared/clock';
import { systemTimers, type TimerHandle, type Timers } from '../../shared/timers';

/** After a stall, at most this many missed ticks are run at once (the rest are skipped). */
const MAX_CATCH_UP_TICKS = 10;

/**
 * The session's 20 ms heartbeat (output pacing and timers) on the injected `Timers`. Each tick
 * is scheduled against the monotonic clock, so N ticks always mean N × `periodMs` of clock time
 * however late the timers fire. Tests pass `FakeTimers` and a `FakeClock` advanced together.
 */
export class Ticker {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #periodMs: number;
  #handle: TimerHandle | undefined;
  #onTick: (() => void) | undefined;
  #t0 = 0;
  #done = 0;

  constructor(clock: Clock, timers: Timers = systemTimers, periodMs = 20) {
    this.#clock = clock;
    this.#timers = timers;
    this.#periodMs = periodMs;
  }

  start(onTick: () => void): void {
    this.stop();
    this.#onTick = onTick;
    this.#t0 = this.#clock.monotonicMs();
    this.#done = 0;
    this.#schedule();
  }

  stop(): void {
    if (this.#handle !== undefined) this.#timers.clear(this.#handle);
    this.#handle = undefined;
    this.#onTick = undefined;
  }

  #schedule(): void {
    const nextAtMs = this.#t0 + (this.#done + 1) * this.#periodMs;
    const delayMs = Math.max(0, Math.ceil(nextAtMs - this.#clock.monotonicMs()));
    this.#handle = this.#timers.set(delayMs, () => this.#fire());
  }

  #fire(): void {
    this.#handle = undefined;
    const due = Math.floor((this.#clock.monotonicMs() - this.#t0) / this.#periodMs);
    if (due - this.#done > MAX_CATCH_UP_TICKS) this.#done = due - MAX_CATCH_UP_TICKS;
    while (this.#done < due && this.#onTick) {
      this.#done += 1;
      this.#onTick();
    }
    if (this.#onTick) this.#schedule();
  }
}
