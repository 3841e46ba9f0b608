import type { Clock } from '../../shared/clock';

/** The session's 20 ms heartbeat (output pacing and timers). */
export interface Ticker {
  start(onTick: () => void): void;
  stop(): void;
}

/**
 * setInterval-driven ticker that catches up on timer drift using the monotonic clock, so N ticks
 * always mean N × 20 ms of real time.
 */
export class IntervalTicker implements Ticker {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly clock: Clock,
    readonly periodMs = 20,
  ) {}

  start(onTick: () => void): void {
    this.stop();
    const t0 = this.clock.monotonicMs();
    let done = 0;
    this.#timer = setInterval(() => {
      const due = Math.floor((this.clock.monotonicMs() - t0) / this.periodMs);
      // After a long stall, skip ahead instead of bursting more than 10 ticks.
      if (due - done > 10) done = due - 10;
      while (done < due) {
        done += 1;
        onTick();
      }
    }, this.periodMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Test ticker: `tick()` runs one period. */
export class ManualTicker implements Ticker {
  #onTick: (() => void) | undefined;

  start(onTick: () => void): void {
    this.#onTick = onTick;
  }

  stop(): void {
    this.#onTick = undefined;
  }

  tick(count = 1): void {
    for (let i = 0; i < count; i++) this.#onTick?.();
  }
}
